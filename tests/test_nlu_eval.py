"""Parsing of Rasa's intent report for `lobby eval nlu` (no Rasa needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.nlu_eval import format_table, read_rasa_results, summarize_intent_report

REPORT = {
    "greet": {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 4, "confused_with": {}},
    "withdraw_cash": {
        "precision": 0.75,
        "recall": 0.6,
        "f1-score": 0.6667,
        "support": 5,
        "confused_with": {"deposit_cash": 1, "nlu_fallback": 1},
    },
    "deposit_cash": {
        "precision": 0.6667,
        "recall": 1.0,
        "f1-score": 0.8,
        "support": 2,
        "confused_with": {},
    },
    "reset_pin": {
        "precision": 1.0,
        "recall": 0.6667,
        "f1-score": 0.8,
        "support": 3,
        "confused_with": {"withdraw_cash": 1},
    },
    "nlu_fallback": {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0, "confused_with": {}},
    "accuracy": 0.7857,
    "macro avg": {"precision": 0.6833, "recall": 0.6533, "f1-score": 0.6533, "support": 14},
    "weighted avg": {"precision": 0.8, "recall": 0.7857, "f1-score": 0.78, "support": 14},
}
ERRORS = [
    {"text": "get cash", "intent": "withdraw_cash", "intent_prediction": {"name": "deposit_cash", "confidence": 0.61}},
    {"text": "pin", "intent": "reset_pin", "intent_prediction": {"name": "withdraw_cash", "confidence": 0.5}},
    {"text": "uh money", "intent": "withdraw_cash", "intent_prediction": {"name": "nlu_fallback", "confidence": 0.3}},
]


def test_summary_has_accuracy_per_intent_scores_and_confusions() -> None:
    summary = summarize_intent_report(REPORT, ERRORS)
    assert summary["accuracy"] == pytest.approx(0.7857)
    assert summary["macro_f1"] == pytest.approx(0.6533)
    assert summary["examples"] == 14
    assert summary["errors"] == 3
    assert set(summary["intents"]) == {"greet", "withdraw_cash", "deposit_cash", "reset_pin", "nlu_fallback"}
    assert summary["intents"]["withdraw_cash"] == {"precision": 0.75, "recall": 0.6, "f1": 0.6667, "support": 5}
    # weakest first (ties: lower recall first), intents without support (nlu_fallback) left out
    assert summary["weakest"] == ["withdraw_cash", "reset_pin", "deposit_cash", "greet"]
    assert summary["top_confusions"][0]["count"] == 1
    assert {(c["intent"], c["predicted"]) for c in summary["top_confusions"]} == {
        ("withdraw_cash", "deposit_cash"),
        ("withdraw_cash", "nlu_fallback"),
        ("reset_pin", "withdraw_cash"),
    }
    assert summary["misclassified"][0] == {
        "text": "get cash",
        "intent": "withdraw_cash",
        "predicted": "deposit_cash",
        "confidence": 0.61,
    }


def test_confusions_are_sorted_by_count_and_truncated() -> None:
    report = {
        "a": {"precision": 0.5, "recall": 0.5, "f1-score": 0.5, "support": 10, "confused_with": {"b": 2, "c": 3}},
        "b": {"precision": 0.5, "recall": 0.5, "f1-score": 0.5, "support": 10, "confused_with": {"a": 5}},
        "accuracy": 0.5,
    }
    summary = summarize_intent_report(report, top_confusions=2)
    assert [(c["intent"], c["predicted"], c["count"]) for c in summary["top_confusions"]] == [
        ("b", "a", 5),
        ("a", "c", 3),
    ]
    # no "macro avg" in the report: computed from the supported intents
    assert summary["macro_f1"] == pytest.approx(0.5)
    assert summary["errors"] is None


def test_accuracy_is_derived_when_rasa_omits_it() -> None:
    report = {
        "a": {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 3},
        "b": {"precision": 1.0, "recall": 0.5, "f1-score": 0.6667, "support": 2},
    }
    assert summarize_intent_report(report)["accuracy"] == pytest.approx(0.8)


def test_empty_report_is_an_error() -> None:
    with pytest.raises(ValueError):
        summarize_intent_report({"accuracy": 1.0})


def test_reads_the_files_rasa_writes(tmp_path: Path) -> None:
    (tmp_path / "intent_report.json").write_text(json.dumps(REPORT))
    (tmp_path / "intent_errors.json").write_text(json.dumps(ERRORS))
    summary = read_rasa_results(tmp_path)
    assert summary["accuracy"] == pytest.approx(0.7857)
    assert len(summary["misclassified"]) == 3
    table = format_table(summary)
    assert "withdraw_cash" in table and "accuracy 0.786" in table
    with pytest.raises(FileNotFoundError):
        read_rasa_results(tmp_path / "missing")
