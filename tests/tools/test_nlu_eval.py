"""Scoring held-out NLU sets (lobby_tools.nlu_score): pure, on hand-made parses; no Rasa needed."""

from __future__ import annotations

import pytest

from lobby_tools.nlu_score import format_report, load_examples, parse_example, queue_of, score
from lobby_wire.clarify import clarify_choices

SERVICES = {"withdraw_cash": "cash", "deposit_cash": "cash", "report_lost_card": "cards", "pay_bill": "payments"}


def parse(*ranking: tuple[str, float], fallback: bool = False, entities: list[dict] | None = None) -> dict:
    ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    intent = "nlu_fallback" if fallback else ranked[0]["name"]
    if fallback:
        ranked.insert(0, {"name": "nlu_fallback", "confidence": 0.3})
    return {"intent": intent, "ranking": ranked, "entities": entities or [], "ms": 5.0}


def test_annotations_become_plain_text_with_spans() -> None:
    example = parse_example('取[两千](amount)块[美元]{"entity": "currency", "value": "USD"}', "withdraw_cash")
    assert example.text == "取两千块美元"
    assert example.entities == ((1, 3, "amount"), (4, 6, "currency"))


def test_loads_intent_blocks_and_skips_lookups() -> None:
    document = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - 你好
- lookup: currency
  examples: |
    - euro
"""
    examples = load_examples(document)
    assert [(e.intent, e.text) for e in examples] == [("greet", "hello"), ("greet", "你好")]


def test_same_queue_counts_as_right_queue_but_not_as_right_intent() -> None:
    examples = [parse_example("put cash in", "deposit_cash"), parse_example("lost card", "report_lost_card")]
    parses = [parse(("withdraw_cash", 0.9)), parse(("report_lost_card", 0.95))]
    report = score(examples, parses, SERVICES)
    assert report["accuracy"] == 0.5
    assert report["queue_accuracy"] == 1.0
    assert report["routing"]["direct_right"] == 2
    assert report["top_confusions"] == [{"intent": "deposit_cash", "predicted": "withdraw_cash", "count": 1}]


def test_a_clarification_is_right_only_when_the_right_service_is_offered() -> None:
    examples = [parse_example("my card thing", "report_lost_card"), parse_example("bill", "pay_bill")]
    parses = [
        parse(("withdraw_cash", 0.28), ("report_lost_card", 0.25), ("pay_bill", 0.05), fallback=True),
        parse(("withdraw_cash", 0.28), ("report_lost_card", 0.25), ("pay_bill", 0.05), fallback=True),
    ]
    report = score(examples, parses, SERVICES)
    routing = report["routing"]
    assert (routing["clarified"], routing["clarified_right"], routing["full_menu"]) == (2, 1, 0)
    assert routing["right_within_one_clarification"] == 0.5
    assert routing["misrouted"] == 0.0


def test_one_plausible_service_is_no_choice_so_the_full_menu() -> None:
    lonely = [{"name": "pay_bill", "confidence": 0.29}, {"name": "greet", "confidence": 0.2}]
    assert clarify_choices(lonely, SERVICES) == []
    ranking = [{"name": n, "confidence": c} for n, c in [("nlu_fallback", 0.3), ("pay_bill", 0.2), ("greet", 0.19),
               ("deposit_cash", 0.15), ("withdraw_cash", 0.12), ("report_lost_card", 0.11)]]  # fmt: skip
    assert clarify_choices(ranking, SERVICES) == ["pay_bill", "deposit_cash", "withdraw_cash"]


def test_entities_are_scored_by_exact_span_without_the_language_tag() -> None:
    examples = [parse_example("取[两千](amount)块", "withdraw_cash")]
    lang = {"entity": "lang", "value": "zh", "start": 0, "end": 0}
    wrong = parse(("withdraw_cash", 0.9), entities=[{"entity": "amount", "start": 1, "end": 4}, lang])
    right = parse(("withdraw_cash", 0.9), entities=[{"entity": "amount", "start": 1, "end": 3}, lang])
    assert score(examples, [wrong], SERVICES)["entities"]["micro_f1"] == 0.0
    assert score(examples, [right], SERVICES)["entities"]["micro_f1"] == 1.0


def test_mismatched_lengths_and_empty_sets_are_errors() -> None:
    with pytest.raises(ValueError):
        score([parse_example("x", "greet")], [], SERVICES)
    with pytest.raises(ValueError):
        score([], [], SERVICES)


def test_report_names_the_numbers() -> None:
    examples = [parse_example("lost card", "report_lost_card")]
    text = format_report("en", "x.yml", score(examples, [parse(("report_lost_card", 0.9))], SERVICES))
    assert "intent accuracy 1.000" in text and "[en] x.yml: 1 examples" in text
    assert queue_of("greet", SERVICES) == "intent:greet"


def test_a_first_turn_that_only_names_a_product_is_routed_by_what_it_names() -> None:
    """As the triage action reads it: "personal loan" (inform) is a loan request, "credit card" (inform) a
    question between the card services; "500 pounds" (inform) names no service. Intent accuracy is the
    model's own."""
    services = {**SERVICES, "apply_loan": "loans", "replace_card": "cards", "reset_pin": "cards"}
    examples = [
        parse_example("personal loan", "apply_loan"),
        parse_example("credit card", "replace_card"),
        parse_example("500 pounds", "withdraw_cash"),
        parse_example("my code is P4L8N2", "check_in"),  # nlu_data/rules.yml: a booking code on its own checks in
    ]
    parses = [
        parse(("inform", 0.6), entities=[{"entity": "loan_type", "value": "personal"}]),
        parse(("inform", 0.5), entities=[{"entity": "card_type", "value": "credit"}]),
        parse(("inform", 0.7), entities=[{"entity": "amount", "value": "500"}, {"entity": "currency", "value": "GBP"}]),
        parse(("inform", 0.5), entities=[{"entity": "appointment_code", "value": "P4L8N2"}]),
    ]
    report = score(examples, parses, services)
    assert report["accuracy"] == 0.0
    assert report["queue_accuracy"] == 0.5
    routing = report["routing"]
    assert (routing["direct_right"], routing["clarified"], routing["clarified_right"], routing["direct_wrong"]) == (
        2,
        1,
        1,
        1,
    )
