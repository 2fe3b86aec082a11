"""Bad input to POST /v1/subscriptions/{id} and /resume: Stripe's error naming the
parameter, and nothing of the request written."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from tests.contract.test_subscription_update import DAY, PERIOD, pending, price, subscribe
from tests.support.billing import customer_with_card
from tests.support.errors import assert_error, error_of

LONG = "x" * 501


@pytest.fixture
def setup(client: stripe.StripeClient) -> dict[str, Any]:
    customer = customer_with_card(client, email="a@example.com")
    base = price(client, 1000)
    other = price(client, 2000, name="Other")
    subscription = subscribe(client, customer.id, {"price": base.id})
    return {
        "customer": customer.id,
        "subscription": subscription,
        "item": subscription["items"].data[0].id,
        "base": base.id,
        "other": other.id,
        "start": subscription.start_date,
    }


# (params, code, param); "{item}", "{other}", "{base}" are filled from the setup.
CASES: list[tuple[dict[str, Any], str | None, str]] = [
    # unknown
    ({"colour": "red"}, "parameter_unknown", "colour"),
    ({"items": [{"id": "{item}", "colour": "red"}]}, "parameter_unknown", "items[0][colour]"),
    # wrongly typed
    ({"cancel_at_period_end": "maybe"}, "parameter_invalid_boolean", "cancel_at_period_end"),
    ({"proration_date": "soon"}, "parameter_invalid_integer", "proration_date"),
    (
        {"items": [{"id": "{item}", "quantity": "two"}]},
        "parameter_invalid_integer",
        "items[0][quantity]",
    ),
    (
        {"days_until_due": "7.5", "collection_method": "send_invoice"},
        "parameter_invalid_integer",
        "days_until_due",
    ),
    # out of range or not one of the values
    ({"proration_behavior": "sometimes"}, "parameter_invalid_enum", "proration_behavior"),
    ({"billing_cycle_anchor": "later"}, "parameter_invalid_enum", "billing_cycle_anchor"),
    ({"payment_behavior": "hope"}, "parameter_invalid_enum", "payment_behavior"),
    (
        {"pause_collection": {"behavior": "skip"}},
        "parameter_invalid_enum",
        "pause_collection[behavior]",
    ),
    (
        {"items": [{"id": "{item}", "quantity": -1}]},
        "parameter_invalid_integer",
        "items[0][quantity]",
    ),
    ({"description": LONG}, "parameter_invalid_string_too_long", "description"),
    ({"proration_date": 1}, None, "proration_date"),
    ({"trial_end": 1}, None, "trial_end"),
    ({"cancel_at": 1}, None, "cancel_at"),
    (
        {"pause_collection": {"behavior": "void", "resumes_at": 1}},
        None,
        "pause_collection[resumes_at]",
    ),
    ({"days_until_due": 5}, None, "days_until_due"),
    ({"cancel_at": 4102444800, "cancel_at_period_end": True}, None, "cancel_at"),
    ({"trial_end": "now"}, None, "trial_end"),
    # missing or unknown objects
    ({"items": [{"id": "si_missing", "quantity": 2}]}, "resource_missing", "items[0][id]"),
    ({"items": [{"price": "price_missing"}]}, "resource_missing", "items[0][price]"),
    ({"items": [{"quantity": 2}]}, None, "items[0][price]"),
    ({"items": [{"deleted": True}]}, None, "items[0][id]"),
    ({"default_payment_method": "pm_missing"}, "resource_missing", "default_payment_method"),
    ({"default_tax_rates": ["txr_missing"]}, "resource_missing", "default_tax_rates[0]"),
    ({"discounts": [{"coupon": "nope"}]}, "resource_missing", "discounts[0][coupon]"),
    # impossible combinations
    ({"items": [{"id": "{item}", "deleted": True}]}, None, "items"),
    ({"items": [{"price": "{base}"}]}, None, "items"),
    (
        {"items": [{"id": "{item}", "price": "{other}"}, {"id": "{item}", "quantity": 3}]},
        None,
        "items[1][id]",
    ),
]


def filled(value: Any, setup: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return setup[value[1:-1]]
    if isinstance(value, dict):
        return {k: filled(v, setup) for k, v in value.items()}
    if isinstance(value, list):
        return [filled(v, setup) for v in value]
    return value


@pytest.mark.parametrize(("params", "code", "param"), CASES)
def test_update_refuses(
    client: stripe.StripeClient,
    setup: dict[str, Any],
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    subscription = setup["subscription"]
    error = error_of(
        lambda: client.v1.subscriptions.update(subscription.id, params=filled(params, setup))
    )
    assert_error(error, code=code, param=param)
    after = client.v1.subscriptions.retrieve(subscription.id)
    assert [(i.id, i.price.id, i.quantity) for i in after["items"].data] == [
        (setup["item"], setup["base"], 1)
    ]
    assert (after.cancel_at, after.cancel_at_period_end, after.description) == (None, False, None)
    assert after.latest_invoice == subscription.latest_invoice
    assert pending(client, setup["customer"]) == []


def test_a_missing_subscription_is_404(client: stripe.StripeClient) -> None:
    error = error_of(
        lambda: client.v1.subscriptions.update("sub_missing", params={"metadata": {"a": "b"}})
    )
    assert_error(error, status=404, code="resource_missing", param="id")
    error = error_of(lambda: client.v1.subscriptions.resume("sub_missing"))
    assert_error(error, status=404, code="resource_missing", param="id")


def test_a_subscription_that_is_not_paused_cannot_resume(
    client: stripe.StripeClient, setup: dict[str, Any]
) -> None:
    error = error_of(lambda: client.v1.subscriptions.resume(setup["subscription"].id))
    assert_error(error, code="status_transition_invalid", param=None)
    error = error_of(
        lambda: client.v1.subscriptions.resume(
            setup["subscription"].id,
            params={"billing_cycle_anchor": "later"},  # type: ignore[typeddict-item]
        )
    )
    assert_error(error, code="parameter_invalid_enum", param="billing_cycle_anchor")


def test_proration_date_outside_the_period_is_refused(
    client: stripe.StripeClient, setup: dict[str, Any]
) -> None:
    late = setup["start"] + PERIOD + DAY
    error = error_of(
        lambda: client.v1.subscriptions.update(
            setup["subscription"].id,
            params={"items": [{"id": setup["item"], "quantity": 2}], "proration_date": late},
        )
    )
    assert_error(error, code=None, param="proration_date")
