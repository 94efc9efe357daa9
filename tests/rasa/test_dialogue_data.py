"""The dialogue data keeps the contracts: DESIGN.md §3 names, branch.yml intents, rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from actions.turn import FORM_INTENTS, HUB_CONVERSATION_INTENTS, SERVICE_INTENTS, TRIAGE_INTENTS
from lobby_wire.lang import han_count

REPO = Path(__file__).resolve().parents[2]

DESIGN_SERVICE_INTENTS = {
    "withdraw_cash",
    "deposit_cash",
    "deposit_cheque",
    "transfer_money",
    "send_money_abroad",
    "exchange_currency",
    "open_account",
    "close_account",
    "report_lost_card",
    "replace_card",
    "reset_pin",
    "check_balance",
    "pay_bill",
    "update_details",
    "apply_loan",
    "mortgage",
    "invest",
    "business_banking",
    "make_complaint",
    "mobile_banking_help",
}
DESIGN_CONVERSATION_INTENTS = {
    "book_appointment",
    "check_in",
    "cancel_appointment",
    "queue_status",
    "talk_to_human",
    "branch_info",
    "greet",
    "goodbye",
    "affirm",
    "deny",
    "thank_you",
    "bot_challenge",
    "out_of_scope",
    "inform",
}
DESIGN_ENTITIES = {
    "amount",
    "currency",
    "date",
    "time",
    "card_type",
    "account_type",
    "loan_type",
    "appointment_code",
    "phone_number",
    "person_name",
}


def load(name: str) -> Any:
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    data: dict[str, Any] = load("domain.yml")
    return data


def test_domain_has_every_design_intent_and_entity(domain: dict[str, Any]) -> None:
    assert DESIGN_SERVICE_INTENTS | DESIGN_CONVERSATION_INTENTS <= set(domain["intents"])
    assert DESIGN_ENTITIES <= set(domain["entities"])


def test_every_appointment_intent_starts_its_form_and_the_form_submits(domain: dict[str, Any]) -> None:
    rules = load("nlu_data/rules.yml")["rules"]
    starts = {
        (rule["steps"][0].get("intent"), rule["steps"][1].get("action"))
        for rule in rules
        if "condition" not in rule and len(rule["steps"]) == 3
    }
    submits = {
        rule["condition"][0]["active_loop"]: rule["steps"][-1]["action"]
        for rule in rules
        if rule.get("condition") and rule["steps"][0].get("action") == rule["condition"][0]["active_loop"]
    }
    assert set(FORM_INTENTS.items()) <= starts
    assert set(submits) == set(FORM_INTENTS.values()) == set(domain["forms"])
    assert all(action in domain["actions"] for action in submits.values())
    # every form slot has a question: a response or an action_ask_<slot>
    asks = set(domain["actions"]) | set(domain["responses"])
    for form in domain["forms"].values():
        assert {f"action_ask_{slot}" for slot in form["required_slots"]} - asks == set()


def test_nlu_data_has_at_least_twelve_examples_per_intent() -> None:
    counts = {
        block["intent"]: len([line for line in block["examples"].splitlines() if line.strip()])
        for block in load("nlu_data/nlu.yml")["nlu"]
        if "intent" in block
    }
    assert {name: n for name, n in counts.items() if n < 12} == {}
    assert DESIGN_SERVICE_INTENTS | DESIGN_CONVERSATION_INTENTS <= set(counts)


def test_the_action_triages_exactly_the_design_intents() -> None:
    assert SERVICE_INTENTS == DESIGN_SERVICE_INTENTS
    assert HUB_CONVERSATION_INTENTS <= DESIGN_CONVERSATION_INTENTS


def test_branch_services_map_only_intents_the_action_triages() -> None:
    mapped = {intent for service in load("branch.yml")["services"] for intent in service["intents"]}
    assert mapped == SERVICE_INTENTS


def test_every_triage_intent_has_a_rule_to_action_triage() -> None:
    routed = {
        rule["steps"][0]["intent"]
        for rule in load("nlu_data/rules.yml")["rules"]
        if len(rule["steps"]) == 2 and rule["steps"][1].get("action") == "action_triage"
    }
    assert TRIAGE_INTENTS | {"inform"} == routed


def test_no_slot_mapping_runs_a_custom_action(domain: dict[str, Any]) -> None:
    # A custom mapping with `action:` makes Rasa run that action on every user
    # turn (action_extract_slots): for action_triage, a hub call and a ticket.
    actions_in_mappings = {
        mapping["action"]
        for slot in domain["slots"].values()
        for mapping in slot.get("mappings", [])
        if mapping.get("action")
    }
    assert actions_in_mappings == set()


def test_the_action_server_registers_exactly_the_domain_actions(domain: dict[str, Any]) -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(domain["actions"])  # abstract bases are skipped, nothing missing


def test_every_response_has_a_mandarin_variation_and_an_english_default(domain: dict[str, Any]) -> None:
    zh_condition = [{"type": "slot", "name": "lang", "value": "zh"}]
    for name, variations in domain["responses"].items():
        chinese = [v for v in variations if v.get("condition") == zh_condition]
        english = [v for v in variations if "condition" not in v]
        assert chinese and english, name
        assert all(han_count(v["text"]) for v in chinese) and not any(han_count(v["text"]) for v in english), name
        # the same choices in both languages, titled in each
        payloads = {tuple(b["payload"] for b in v.get("buttons", [])) for v in chinese + english}
        assert len(payloads) == 1, name
        assert all(han_count(b["title"]) for v in chinese for b in v.get("buttons", [])), name


@pytest.mark.asyncio
async def test_rasa_answers_in_the_language_of_the_lang_slot(domain: dict[str, Any]) -> None:
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    loaded = Domain.load(str(REPO / "domain.yml"))
    generator = TemplatedNaturalLanguageGenerator(loaded.responses)

    async def said(events: list[Any]) -> str:
        tracker = DialogueStateTracker.from_events("s", events, slots=loaded.slots)
        reply = await generator.generate("utter_you_are_welcome", tracker, "rest")
        return str((reply or {}).get("text"))

    assert await said([SlotSet("lang", "zh")]) == "不客气。还有什么可以帮您的吗？"  # noqa: RUF001
    assert await said([SlotSet("lang", "en")]) == "You're welcome. Is there anything else I can help with?"
    assert await said([]) == "You're welcome. Is there anything else I can help with?"


FLOW_ACTIONS = {
    "action_triage",
    "action_accept_offer",
    "action_decline_offer",
    "action_clarify",
    "action_stop_form",
    "action_book_appointment",
    "action_reschedule_appointment",
    "action_cancel_appointment",
    "action_check_in",
}


@pytest.mark.parametrize("name", ["tests/test_stories.yml", "tests/test_stories_zh.yml"])
def test_the_test_stories_cover_every_flow_with_the_domains_names(domain: dict[str, Any], name: str) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    loaded = Domain.load(str(REPO / "domain.yml"))
    steps = YAMLStoryReader(loaded).read_from_file(REPO / name)
    events = [event for step in steps for event in step.events]
    actions = {event.action_name for event in events if isinstance(event, ActionExecuted)}
    intents = {event.intent_name for event in events if isinstance(event, UserUttered) and event.intent_name}
    assert actions - set(loaded.action_names_or_texts) == set()
    assert intents - set(loaded.intents) == set()
    assert FLOW_ACTIONS | set(domain["forms"]) <= actions
    if name.endswith("_zh.yml"):  # the customer's own words, in Chinese, on (nearly) every turn
        said = [event.text for event in events if isinstance(event, UserUttered) and event.text]
        assert said and all(han_count(text) or text.isalnum() for text in said)
        assert len(said) >= len([e for e in events if isinstance(e, UserUttered)]) - 2
