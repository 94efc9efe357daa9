"""`lobby_wire.clarify.named_services`: what a first turn that only names a product asks for (the triage
action and `lobby eval nlu` both read it; it runs in both environments)."""

from __future__ import annotations

import pytest
from lobby_wire.clarify import named_services


def named(*entities: tuple[str, str]) -> list[str]:
    return named_services([{"entity": name, "value": value, "start": 0, "end": 1} for name, value in entities])


@pytest.mark.parametrize(
    ("entities", "services"),
    [
        ((("loan_type", "personal"),), ["apply_loan"]),
        ((("loan_type", "car"),), ["apply_loan"]),
        ((("loan_type", "mortgage"),), ["mortgage"]),
        ((("loan_type", " Business "),), ["business_banking"]),
        ((("account_type", "business"),), ["business_banking"]),
        ((("account_type", "savings"),), ["open_account", "check_balance", "close_account"]),
        ((("card_type", "credit"),), ["report_lost_card", "replace_card", "reset_pin"]),
        # a loan type says more than the account or card beside it
        ((("card_type", "debit"), ("loan_type", "mortgage")), ["mortgage"]),
        ((("account_type", "current"), ("card_type", "debit")), ["open_account", "check_balance", "close_account"]),
        # amounts, currencies, dates, names and codes name no service: the customer is asked what they need
        ((("amount", "500"), ("currency", "GBP")), []),
        ((("appointment_code", "K7P2QX"),), []),
        ((), []),
    ],
)
def test_what_a_named_product_asks_for(entities: tuple[tuple[str, str], ...], services: list[str]) -> None:
    assert named(*entities) == services
