from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_demo_branch_maps_every_service_intent_of_the_design() -> None:
    settings = load_settings(ROOT / "branch.yml", environ={})
    service_intents = {
        "withdraw_cash", "deposit_cash", "deposit_cheque", "transfer_money", "send_money_abroad",
        "exchange_currency", "open_account", "close_account", "report_lost_card", "replace_card",
        "reset_pin", "check_balance", "pay_bill", "update_details", "apply_loan", "mortgage", "invest",
        "business_banking", "make_complaint", "mobile_banking_help",
    }  # fmt: skip
    mapped = {intent for service in settings.services for intent in service.intents}
    assert service_intents == mapped
    assert settings.service_for_intent("report_lost_card").id == "cards"  # type: ignore[union-attr]


def test_environment_overrides_a_nested_key() -> None:
    settings = load_settings(ROOT / "branch.yml", environ={"LOBBY_HUB__PORT": "9100", "OTHER": "x"})
    assert settings.hub.port == 9100


def test_environment_lists_and_mappings_are_parsed() -> None:
    environ = {
        "LOBBY_BRANCH__OPENING_HOURS__SUN": '["10:00", "16:00"]',
        "LOBBY_APPOINTMENTS__BLACKOUT_DATES": "[]",
        "LOBBY_APPOINTMENTS__CAPACITY": "{loans: 3}",
    }
    settings = load_settings(ROOT / "branch.yml", environ=environ)
    assert settings.branch.opening_hours["sun"] == ("10:00", "16:00")
    assert settings.branch.opening_hours["mon"] == ("09:00", "17:00")  # the rest of the mapping stays
    assert settings.appointments.blackout_dates == () and settings.appointments.capacity == {"loans": 3}
    with pytest.raises(ConfigError, match="LOBBY_BRANCH__OPENING_HOURS__SUN"):
        load_settings(ROOT / "branch.yml", environ={"LOBBY_BRANCH__OPENING_HOURS__SUN": '["10:00", '})


def test_bad_values_name_the_place(tmp_path: Path) -> None:
    config = tmp_path / "branch.yml"
    config.write_text((ROOT / "branch.yml").read_text().replace("port: 8000", "port: lots"))
    with pytest.raises(ConfigError, match=r"hub\.port"):
        load_settings(config, environ={})


def test_unknown_counter_skill_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "branch.yml"
    config.write_text((ROOT / "branch.yml").read_text().replace("skills: {cash: 1.0,", "skills: {vault: 1.0,"))
    with pytest.raises(ConfigError, match="unknown skills"):
        load_settings(config, environ={})


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.yml", environ={})
