"""Customer balance transactions through the official SDK: the ledger behind
`customer.balance`, its list, retrieve and update, and every refusal of bad input."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest
import stripe

from seikyu.customers import balance_transactions
from seikyu.db.models.customer_balance_transactions import CustomerBalanceTransaction
from seikyu.db.uow import Actor, Database
from tests.contract.test_customers import count_rows, events_of
from tests.support.errors import assert_error, error_of

if TYPE_CHECKING:
    from tests.conftest import TestAccount

FIELDS = {
    "id",
    "object",
    "amount",
    "checkout_session",
    "created",
    "credit_note",
    "currency",
    "customer",
    "customer_account",
    "description",
    "ending_balance",
    "invoice",
    "livemode",
    "metadata",
    "type",
}


@pytest.fixture
def customer(client: stripe.StripeClient) -> str:
    return client.v1.customers.create(params={"name": "Ledger Ltd"}).id


def _add(
    client: stripe.StripeClient, customer: str, amount: int, **more: Any
) -> stripe.CustomerBalanceTransaction:
    params = {"amount": amount, "currency": "usd", **more}
    return client.v1.customers.balance_transactions.create(customer, params=params)  # type: ignore[arg-type]


def _ledger(client: stripe.StripeClient, customer: str) -> list[tuple[str, int, int]]:
    """(type, amount, ending_balance) of every transaction, oldest first."""
    found = client.v1.customers.balance_transactions.list(customer, params={"limit": 100}).data
    return [(t.type, t.amount, t.ending_balance) for t in reversed(found)]


# --- create ----------------------------------------------------------------------------


def test_a_credit_has_stripes_fields_and_lowers_the_balance(
    client: stripe.StripeClient, customer: str
) -> None:
    credit = client.v1.customers.balance_transactions.create(
        customer,
        params={
            "amount": -500,
            "currency": "usd",
            "description": "Goodwill credit",
            "metadata": {"ticket": "T-1"},
        },
    )

    assert set(credit.to_dict()) == FIELDS
    assert credit.id.startswith("cbtxn_")
    assert credit.object == "customer_balance_transaction"
    assert (credit.amount, credit.currency, credit.ending_balance) == (-500, "usd", -500)
    assert (credit.type, credit.customer, credit.livemode) == ("adjustment", customer, False)
    assert (credit.description, credit.metadata.to_dict()) == ("Goodwill credit", {"ticket": "T-1"})
    assert (credit.invoice, credit.credit_note, credit.checkout_session) == (None, None, None)
    assert credit.customer_account is None
    after = client.v1.customers.retrieve(customer)
    assert (after.balance, after.currency) == (-500, "usd")


def test_a_debit_raises_the_balance(client: stripe.StripeClient, customer: str) -> None:
    debit = _add(client, customer, 1200)

    assert (debit.amount, debit.ending_balance) == (1200, 1200)
    assert client.v1.customers.retrieve(customer).balance == 1200


def test_ending_balances_chain_and_the_customer_balance_follows(
    client: stripe.StripeClient, customer: str
) -> None:
    for amount in (-500, 200, -1000, 1300):
        _add(client, customer, amount)

    assert _ledger(client, customer) == [
        ("adjustment", -500, -500),
        ("adjustment", 200, -300),
        ("adjustment", -1000, -1300),
        ("adjustment", 1300, 0),
    ]
    assert client.v1.customers.retrieve(customer).balance == 0


def test_a_currency_in_capitals_is_the_same_currency(
    client: stripe.StripeClient, customer: str
) -> None:
    _add(client, customer, -100)

    second = client.v1.customers.balance_transactions.create(
        customer, params={"amount": -100, "currency": "USD"}
    )

    assert (second.currency, second.ending_balance) == ("usd", -200)


def test_a_transaction_in_another_currency_than_the_customers_is_refused(
    client: stripe.StripeClient, customer: str
) -> None:
    _add(client, customer, -500)

    error = error_of(
        lambda: client.v1.customers.balance_transactions.create(
            customer, params={"amount": -100, "currency": "eur"}
        )
    )

    assert_error(error, code=None, param="currency")
    assert error.user_message == (
        "The customer's balance is in usd; a balance transaction in eur cannot be added to "
        "it. Use currency=usd."
    )
    assert _ledger(client, customer) == [("adjustment", -500, -500)]
    after = client.v1.customers.retrieve(customer)
    assert (after.balance, after.currency) == (-500, "usd")


def test_each_transaction_emits_customer_updated_with_the_old_balance(
    client: stripe.StripeClient, customer: str
) -> None:
    _add(client, customer, -500)
    _add(client, customer, 200)

    newest, oldest = events_of(client, "customer.updated")
    assert (oldest.data.object.balance, oldest.data.object.currency) == (-500, "usd")
    assert oldest.data.previous_attributes.to_dict() == {"balance": 0, "currency": None}
    assert newest.data.object.balance == -300
    assert newest.data.previous_attributes.to_dict() == {"balance": -500}


def test_a_transaction_for_an_unknown_or_deleted_customer_is_missing(
    client: stripe.StripeClient, customer: str
) -> None:
    unknown = error_of(lambda: _add(client, "cus_nope", -100))
    assert_error(unknown, status=404, code="resource_missing", param="id")
    assert unknown.user_message == "No such customer: 'cus_nope'"

    client.v1.customers.delete(customer)
    deleted = error_of(lambda: _add(client, customer, -100))
    assert_error(deleted, status=404, code="resource_missing", param="id")


# --- the customer's own balance field ----------------------------------------------------


def test_updating_the_balance_records_the_difference_as_an_adjustment(
    client: stripe.StripeClient, customer: str
) -> None:
    _add(client, customer, -500)

    client.v1.customers.update(customer, params={"balance": 300})

    assert _ledger(client, customer) == [("adjustment", -500, -500), ("adjustment", 800, 300)]
    assert client.v1.customers.retrieve(customer).balance == 300


def test_setting_the_same_balance_records_nothing(
    client: stripe.StripeClient, customer: str
) -> None:
    _add(client, customer, -500)

    client.v1.customers.update(customer, params={"balance": -500, "name": "Renamed"})

    assert _ledger(client, customer) == [("adjustment", -500, -500)]


def test_a_balance_given_before_any_currency_becomes_initial_with_the_first_transaction(
    client: stripe.StripeClient,
) -> None:
    # A transaction needs a currency, and a new customer has none: the balance waits.
    created = client.v1.customers.create(params={"balance": -700})
    assert (created.balance, created.currency) == (-700, None)
    assert _ledger(client, created.id) == []
    client.v1.customers.update(created.id, params={"balance": -900})
    assert _ledger(client, created.id) == []

    _add(client, created.id, 100)

    assert _ledger(client, created.id) == [("initial", -900, -900), ("adjustment", 100, -800)]
    assert client.v1.customers.retrieve(created.id).balance == -800


# --- list ------------------------------------------------------------------------------


def test_list_is_newest_first_and_pages_both_ways(
    client: stripe.StripeClient, customer: str
) -> None:
    made = [_add(client, customer, -100 * (n + 1)).id for n in range(5)]
    service = client.v1.customers.balance_transactions

    first = service.list(customer, params={"limit": 2})
    second = service.list(customer, params={"limit": 2, "starting_after": first.data[-1].id})
    last = service.list(customer, params={"limit": 2, "starting_after": second.data[-1].id})
    back = service.list(customer, params={"limit": 2, "ending_before": last.data[0].id})

    assert [t.id for t in first.data] == [made[4], made[3]]
    assert [t.id for t in second.data] == [made[2], made[1]]
    assert [t.id for t in last.data] == [made[0]]
    assert (first.has_more, second.has_more, last.has_more) == (True, True, False)
    assert [t.id for t in back.data] == [made[2], made[1]]
    assert first.url == f"/v1/customers/{customer}/balance_transactions"


def test_list_shows_only_that_customers_transactions(
    client: stripe.StripeClient, customer: str
) -> None:
    other = client.v1.customers.create(params={"name": "Other"}).id
    mine = _add(client, customer, -100)
    _add(client, other, -200)

    listed = client.v1.customers.balance_transactions.list(customer)

    assert [t.id for t in listed.data] == [mine.id]


def test_list_filters_by_invoice(
    client: stripe.StripeClient, db: Database, account: TestAccount, customer: str
) -> None:
    _add(client, customer, -1000)
    with db.unit(Actor(account.id)) as uow:
        applied = balance_transactions.adjust(
            uow, customer, 600, currency="usd", type="applied_to_invoice", invoice_id="in_123"
        ).id

    listed = client.v1.customers.balance_transactions.list(customer, params={"invoice": "in_123"})
    none = client.v1.customers.balance_transactions.list(customer, params={"invoice": "in_999"})

    assert [(t.id, t.invoice, t.ending_balance) for t in listed.data] == [(applied, "in_123", -400)]
    assert none.data == []


def test_list_of_an_unknown_customer_is_missing(client: stripe.StripeClient) -> None:
    error = error_of(lambda: client.v1.customers.balance_transactions.list("cus_nope"))
    assert_error(error, status=404, code="resource_missing", param="id")


# --- retrieve and update -----------------------------------------------------------------


def test_retrieve_returns_the_transaction_and_expands_its_customer(
    client: stripe.StripeClient, customer: str
) -> None:
    made = _add(client, customer, -250, description="Refund as credit")

    found = client.v1.customers.balance_transactions.retrieve(customer, made.id)
    expanded = client.v1.customers.balance_transactions.retrieve(
        customer, made.id, params={"expand": ["customer"]}
    )

    assert found.to_dict() == made.to_dict()
    assert isinstance(expanded.customer, stripe.Customer)
    assert (expanded.customer.id, expanded.customer.balance) == (customer, -250)


def test_another_customers_transaction_is_missing(
    client: stripe.StripeClient, customer: str
) -> None:
    other = client.v1.customers.create(params={"name": "Other"}).id
    made = _add(client, customer, -100)
    service = client.v1.customers.balance_transactions

    for call in (
        lambda: service.retrieve(other, made.id),
        lambda: service.update(other, made.id, params={"description": "x"}),
        lambda: service.retrieve(customer, "cbtxn_nope"),
    ):
        error = error_of(call)
        assert_error(error, status=404, code="resource_missing", param="id")
    assert service.retrieve(customer, made.id).description is None


def test_update_changes_description_and_merges_metadata_only(
    client: stripe.StripeClient, customer: str
) -> None:
    made = _add(client, customer, -100, description="Old", metadata={"a": "1", "b": "2"})

    updated = client.v1.customers.balance_transactions.update(
        customer, made.id, params={"description": "New", "metadata": {"b": "", "c": "3"}}
    )

    assert (updated.description, updated.metadata.to_dict()) == ("New", {"a": "1", "c": "3"})
    assert (updated.amount, updated.ending_balance, updated.type) == (-100, -100, "adjustment")
    assert client.v1.customers.retrieve(customer).balance == -100


def test_update_with_empty_values_clears_description_and_metadata(
    client: stripe.StripeClient, customer: str
) -> None:
    made = _add(client, customer, -100, description="Old", metadata={"a": "1"})

    updated = client.v1.customers.balance_transactions.update(
        customer,
        made.id,
        params={"description": "", "metadata": ""},
    )

    assert (updated.description, updated.metadata.to_dict()) == (None, {})


def test_update_moves_no_balance_and_emits_no_customer_event(
    client: stripe.StripeClient, customer: str
) -> None:
    made = _add(client, customer, -100)

    client.v1.customers.balance_transactions.update(customer, made.id, params={"description": "x"})

    assert len(events_of(client, "customer.updated")) == 1


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        # missing
        ({"currency": "usd"}, "parameter_missing", "amount"),
        ({"amount": -100}, "parameter_missing", "currency"),
        ({"amount": -100, "currency": ""}, "parameter_invalid_empty", "currency"),
        ({"amount": "", "currency": "usd"}, "parameter_invalid_empty", "amount"),
        # unknown
        ({"amount": -100, "currency": "usd", "type": "initial"}, "parameter_unknown", "type"),
        ({"amount": -100, "currency": "usd", "invoice": "in_1"}, "parameter_unknown", "invoice"),
        # wrongly typed
        ({"amount": "ten", "currency": "usd"}, "parameter_invalid_integer", "amount"),
        ({"amount": "1.5", "currency": "usd"}, "parameter_invalid_integer", "amount"),
        ({"amount": "99999999999999999999999", "currency": "usd"}, "parameter_invalid_integer",
         "amount"),
        ({"amount": -100, "currency": {"code": "usd"}}, "parameter_invalid_string", "currency"),
        ({"amount": -100, "currency": "usd", "description": {"a": "b"}},
         "parameter_invalid_string", "description"),
        ({"amount": -100, "currency": "usd", "metadata": "plain"}, "parameter_invalid_hash",
         "metadata"),
        ({"amount": -100, "currency": "usd", "expand": "customer"}, "parameter_invalid_array",
         "expand"),
        # out of range
        ({"amount": 0, "currency": "usd"}, None, "amount"),
        ({"amount": -100, "currency": "xyz"}, None, "currency"),
        ({"amount": -100, "currency": "usd", "description": "d" * 351},
         "parameter_invalid_string_too_long", "description"),
        ({"amount": -100, "currency": "usd", "metadata": {"k" * 41: "v"}}, None, "metadata"),
        ({"amount": -100, "currency": "usd", "metadata": {"k": "v" * 501}}, None, "metadata"),
        ({"amount": -100, "currency": "usd", "expand": ["nothing"]}, None, "expand"),
    ],
)  # fmt: skip
def test_create_refuses_bad_input_and_changes_nothing(
    client: stripe.StripeClient,
    db: Database,
    account: TestAccount,
    customer: str,
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    error = error_of(
        lambda: client.v1.customers.balance_transactions.create(customer, params=params)  # type: ignore[arg-type]
    )

    assert_error(error, code=code, param=param)
    assert count_rows(db, account, CustomerBalanceTransaction) == 0
    after = client.v1.customers.retrieve(customer)
    assert (after.balance, after.currency) == (0, None)
    assert events_of(client, "customer.updated") == []


def test_a_description_of_exactly_350_characters_is_taken(
    client: stripe.StripeClient, customer: str
) -> None:
    assert _add(client, customer, -1, description="d" * 350).description == "d" * 350


def test_a_zero_amount_is_refused_in_plain_words(
    client: stripe.StripeClient, customer: str
) -> None:
    error = error_of(lambda: _add(client, customer, 0))
    assert error.user_message == "The amount of a customer balance transaction must not be zero."


def test_a_balance_past_64_bits_is_refused(client: stripe.StripeClient, customer: str) -> None:
    _add(client, customer, 2**63 - 1)

    error = error_of(lambda: _add(client, customer, 1))

    assert_error(error, code=None, param="amount")
    assert client.v1.customers.retrieve(customer).balance == 2**63 - 1


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"amount": 100}, "parameter_unknown", "amount"),
        ({"currency": "eur"}, "parameter_unknown", "currency"),
        ({"description": "d" * 351}, "parameter_invalid_string_too_long", "description"),
        ({"description[x]": "y"}, "parameter_invalid_string", "description"),
        ({"metadata": "plain"}, "parameter_invalid_hash", "metadata"),
        ({"metadata[" + "k" * 41 + "]": "v"}, None, "metadata"),
    ],
)  # fmt: skip
def test_update_refuses_bad_input_and_changes_nothing(
    http: httpx.Client,
    client: stripe.StripeClient,
    customer: str,
    params: dict[str, Any],
    code: str | None,
    param: str,
) -> None:
    made = _add(client, customer, -100, description="Kept", metadata={"k": "v"})

    response = http.post(f"/v1/customers/{customer}/balance_transactions/{made.id}", data=params)

    assert response.status_code == 400
    body = response.json()["error"]
    assert (body["type"], body.get("code"), body.get("param")) == (
        "invalid_request_error",
        code,
        param,
    )
    after = client.v1.customers.balance_transactions.retrieve(customer, made.id)
    assert after.to_dict() == made.to_dict()


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"limit": 0}, "parameter_invalid_integer", "limit"),
        ({"limit": 101}, "parameter_invalid_integer", "limit"),
        ({"limit": "many"}, "parameter_invalid_integer", "limit"),
        ({"type": "adjustment"}, "parameter_unknown", "type"),
        ({"created": "yesterday"}, "parameter_invalid_integer", "created"),
    ],
)  # fmt: skip
def test_list_refuses_bad_input(
    http: httpx.Client, customer: str, params: dict[str, Any], code: str | None, param: str
) -> None:
    response = http.get(f"/v1/customers/{customer}/balance_transactions", params=params)

    assert response.status_code == 400
    body = response.json()["error"]
    assert (body.get("code"), body.get("param")) == (code, param)


def test_retrieve_refuses_unknown_parameters(
    http: httpx.Client, client: stripe.StripeClient, customer: str
) -> None:
    made = _add(client, customer, -100)

    response = http.get(
        f"/v1/customers/{customer}/balance_transactions/{made.id}", params={"colour": "red"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "colour"
