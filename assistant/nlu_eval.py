"""`lobby eval nlu`: intent accuracy of the trained model on held-out sentences.

The held-out file (tests/nlu_heldout.yml) lives outside nlu_data/, so it is
never trained on and does not change the model hash. The command makes sure the
model is trained (same cache as `lobby train`), runs `rasa test nlu` on the
held-out file, and condenses Rasa's intent_report.json / intent_errors.json
into one small JSON report (default bench/nlu-eval.json). It exits 1 when the
accuracy is below --min-accuracy, so CI can gate on it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Keys of intent_report.json that are aggregates, not intents.
AGGREGATE_KEYS = frozenset({"accuracy", "macro avg", "weighted avg", "micro avg"})


def summarize_intent_report(
    report: dict[str, Any], errors: list[dict[str, Any]] | None = None, top_confusions: int = 10
) -> dict[str, Any]:
    """Condense Rasa's intent_report.json (and intent_errors.json) into a compact summary."""
    intents: dict[str, dict[str, Any]] = {}
    confusions: list[dict[str, Any]] = []
    for label, row in report.items():
        if label in AGGREGATE_KEYS or not isinstance(row, dict):
            continue
        intents[label] = {
            "precision": round(float(row.get("precision", 0.0)), 4),
            "recall": round(float(row.get("recall", 0.0)), 4),
            "f1": round(float(row.get("f1-score", 0.0)), 4),
            "support": int(row.get("support", 0)),
        }
        for predicted, count in (row.get("confused_with") or {}).items():
            confusions.append({"intent": label, "predicted": predicted, "count": int(count)})
    if not intents:
        raise ValueError("intent report has no intents")

    total = sum(row["support"] for row in intents.values())
    if "accuracy" in report:
        accuracy = float(report["accuracy"])
    elif "micro avg" in report:  # sklearn omits "accuracy" when labels are a subset
        accuracy = float(report["micro avg"].get("f1-score", 0.0))
    else:
        correct = sum(row["recall"] * row["support"] for row in intents.values())
        accuracy = correct / total if total else 0.0
    # Labels with no support (e.g. nlu_fallback, only ever predicted) are not in the macro average.
    supported = [row for row in intents.values() if row["support"] > 0]
    macro = report.get("macro avg") or {}
    macro_f1 = (
        float(macro["f1-score"])
        if "f1-score" in macro
        else (sum(row["f1"] for row in supported) / len(supported) if supported else 0.0)
    )

    confusions.sort(key=lambda c: (-c["count"], c["intent"], c["predicted"]))
    weakest = sorted(
        ({"intent": name, **row} for name, row in intents.items() if row["support"] > 0),
        key=lambda r: (r["f1"], r["recall"], r["intent"]),
    )
    misclassified = [
        {
            "text": e.get("text", ""),
            "intent": e.get("intent"),
            "predicted": (e.get("intent_prediction") or {}).get("name"),
            "confidence": round(float((e.get("intent_prediction") or {}).get("confidence") or 0.0), 3),
        }
        for e in (errors or [])
    ]
    return {
        "accuracy": round(accuracy, 4),
        "macro_f1": round(macro_f1, 4),
        "examples": total,
        "errors": len(misclassified) if errors is not None else None,
        "intents": dict(sorted(intents.items())),
        "weakest": [r["intent"] for r in weakest[:5]],
        "top_confusions": confusions[:top_confusions],
        "misclassified": misclassified,
    }


def read_rasa_results(results_dir: Path) -> dict[str, Any]:
    """Summarize the files `rasa test nlu --out results_dir` wrote."""
    report_file = results_dir / "intent_report.json"
    if not report_file.exists():
        raise FileNotFoundError(f"rasa wrote no intent report: {report_file}")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    errors_file = results_dir / "intent_errors.json"
    errors = json.loads(errors_file.read_text(encoding="utf-8")) if errors_file.exists() else []
    return summarize_intent_report(report, errors)


def format_table(summary: dict[str, Any]) -> str:
    lines = [f"{'intent':<22} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}"]
    rows = sorted(summary["intents"].items(), key=lambda item: (item[1]["f1"], item[0]))
    for name, row in rows:
        lines.append(f"{name:<22} {row['precision']:>6.2f} {row['recall']:>6.2f} {row['f1']:>6.2f} {row['support']:>4}")
    lines.append(
        f"accuracy {summary['accuracy']:.3f}  macro F1 {summary['macro_f1']:.3f}  ({summary['examples']} examples)"
    )
    if summary["top_confusions"]:
        lines.append("top confusions (intent -> predicted x count):")
        lines += [f"  {c['intent']} -> {c['predicted']} x{c['count']}" for c in summary["top_confusions"]]
    return "\n".join(lines)


def run_rasa_test(rasa: Path, root: Path, model: Path, data: Path, out: Path) -> None:
    command = [str(rasa), "test", "nlu", "--nlu", str(data), "--model", str(model), "--out", str(out), "--no-plot"]
    result = subprocess.run(command, cwd=root, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"rasa test nlu failed (exit {result.returncode})")


def run_story_test(rasa: Path, root: Path, model: Path, stories: Path, out: Path) -> dict[str, Any]:
    """`rasa test core` on test stories: {"stories": {correct,total,accuracy}, "actions": accuracy, "failed": yaml}."""
    command = [str(rasa), "test", "core", "--stories", str(stories), "--model", str(model), "--out", str(out)]
    command += ["--no-plot"]
    result = subprocess.run(command, cwd=root, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"rasa test core failed (exit {result.returncode})")
    report = json.loads((out / "story_report.json").read_text())
    conversations = report["conversation_accuracy"]
    failed_file = out / "failed_test_stories.yml"
    failed = failed_file.read_text() if failed_file.exists() else ""
    return {
        "stories": {k: conversations[k] for k in ("correct", "total", "accuracy")},
        "action_accuracy": report["accuracy"],
        "failed_stories": "" if "None of the test stories failed" in failed else failed,
    }


def _evaluate(
    project: Any, data_arg: str, what: str, run: Callable[[Path, Path, Path], dict[str, Any]]
) -> dict[str, Any] | None:
    """Resolve `data_arg`, train (or reuse) the model, run `run(model, data, tmp_dir)`; None if data is missing.

    Returns the run's summary with when, which model, and how long training and testing took.
    """
    data = Path(data_arg)
    if not data.is_absolute():
        data = project.root / data
    if not data.exists():
        print(f"{what} not found: {data}", file=sys.stderr)
        return None
    model, train_seconds = project.train()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lobby-eval-") as tmp:
        summary = run(model, data, Path(tmp))
    return {
        "at": datetime.now(UTC).isoformat(),
        "model": model.name,
        "train_seconds": round(train_seconds, 1),
        "test_seconds": round(time.monotonic() - started, 1),
        **summary,
    }


def _write(out: Path, result: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


def cmd_eval_stories(args: argparse.Namespace, project: Any) -> int:
    measured = _evaluate(
        project,
        args.stories,
        "test stories",
        lambda model, stories, tmp: run_story_test(project.rasa, project.root, model, stories, tmp),
    )
    if measured is None:
        return 2
    passed = measured["stories"]["correct"] == measured["stories"]["total"]
    result = {"eval": "stories", "stories_file": str(args.stories), "passed": passed, **measured}
    out = Path(args.out.replace("nlu-eval", "story-eval"))
    _write(out, result)
    counts = measured["stories"]
    accuracy = measured["action_accuracy"]
    print(f"test stories: {counts['correct']}/{counts['total']} correct, action accuracy {accuracy:.3f}")
    print(f"written to {out}")
    if not passed:
        print("FAIL: these stories went differently:\n" + measured["failed_stories"], file=sys.stderr)
        return 1
    return 0


def _nlu_run(project: Any, model: Path, data: Path, tmp: Path) -> dict[str, Any]:
    run_rasa_test(project.rasa, project.root, model, data, tmp)
    return read_rasa_results(tmp)


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.cli import _rasa_project, _settings

    project = _rasa_project(_settings(args), args)
    if args.target == "stories":
        return cmd_eval_stories(args, project)
    measured = _evaluate(
        project, args.data, "held-out data", lambda model, data, tmp: _nlu_run(project, model, data, tmp)
    )
    if measured is None:
        return 2
    result = {
        "eval": "nlu",
        "data": str(args.data),
        "min_accuracy": args.min_accuracy,
        "passed": measured["accuracy"] >= args.min_accuracy,
        **measured,
    }
    out = Path(args.out)
    _write(out, result)
    print(format_table(measured))
    print(f"written to {out}")
    if not result["passed"]:
        print(f"FAIL: accuracy {measured['accuracy']:.3f} < {args.min_accuracy}", file=sys.stderr)
        return 1
    return 0


def add_eval_parser(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    from assistant.cli import DEFAULT_MODEL_CACHE

    ev = command(
        "eval", cmd_eval, "NLU accuracy on held-out data, or the dialogue on test stories; writes JSON under bench/"
    )
    ev.add_argument("target", choices=["nlu", "stories"])
    ev.add_argument("--stories", default="tests/test_stories.yml", help="test stories (stories target)")
    ev.add_argument("--data", default="tests/nlu_heldout.yml", help="held-out Rasa NLU yaml (never trained on)")
    ev.add_argument("--out", default="bench/nlu-eval.json", help="output file (stories: bench/story-eval.json)")
    ev.add_argument("--min-accuracy", type=float, default=0.92, help="exit 1 below this intent accuracy")
    ev.add_argument("--model-cache", default=str(DEFAULT_MODEL_CACHE), help="shared trained-model cache")
    ev.add_argument("--no-model-cache", action="store_true", help="do not use the shared model cache")
