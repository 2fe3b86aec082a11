"""/v1/customers/{customer}/balance_transactions"""

from __future__ import annotations

from typing import Annotated, Any, cast

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata
from seikyu.api.render.customer_balance_transaction import render_customer_balance_transaction
from seikyu.api.routing import Call, Router
from seikyu.customers import balance_transactions as service
from seikyu.customers.balance_transactions import MAX_DESCRIPTION, BalanceTransactionFields
from seikyu.db.models.customer_balance_transactions import CustomerBalanceTransaction

router = Router()

Description = Annotated[str, Field(max_length=MAX_DESCRIPTION)]
# A currency's support is checked by the service, which names the parameter.
Currency = Annotated[str, Field(min_length=1, max_length=10)]


class BalanceTransactionCreate(Expandable):
    amount: int
    currency: Currency
    description: Description | None = None
    metadata: Metadata | None = None

    def fields(self) -> BalanceTransactionFields:
        data = self.model_dump(
            exclude_unset=True, include={"amount", "currency", "description", "metadata"}
        )
        return cast(BalanceTransactionFields, data)


class BalanceTransactionUpdate(Expandable):
    description: Description | None = None
    metadata: Metadata | None = None

    def fields(self) -> BalanceTransactionFields:
        data = self.model_dump(exclude_unset=True, include={"description", "metadata"})
        return cast(BalanceTransactionFields, data)


class BalanceTransactionList(ListParams):
    invoice: Annotated[str, Field(max_length=5000)] | None = None


_COLLECTION = "/v1/customers/{customer}/balance_transactions"
_ONE = "/v1/customers/{customer}/balance_transactions/{id}"


@router.post(_COLLECTION, BalanceTransactionCreate)
def create(call: Call[BalanceTransactionCreate]) -> dict[str, Any]:
    created = service.create(call.uow, call.path["customer"], call.params.fields())
    return render_customer_balance_transaction(created)


@router.get(_COLLECTION, BalanceTransactionList)
def list_transactions(call: Call[BalanceTransactionList]) -> dict[str, Any]:
    page = service.page(
        call.uow,
        call.path["customer"],
        lists.window(call.params),
        invoice_id=call.params.invoice,
    )
    return lists.envelope(call.url, page, render_customer_balance_transaction)


@router.get(_ONE, Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    found = service.get(call.uow, call.path["customer"], call.path["id"])
    return render_customer_balance_transaction(found)


@router.post(_ONE, BalanceTransactionUpdate)
def update(call: Call[BalanceTransactionUpdate]) -> dict[str, Any]:
    changed = service.update(call.uow, call.path["customer"], call.path["id"], call.params.fields())
    return render_customer_balance_transaction(changed)


registry.register(
    registry.ObjectSpec(
        name="customer_balance_transaction",
        prefix="cbtxn",
        model=CustomerBalanceTransaction,
        render=render_customer_balance_transaction,
        load=service.find,
        # Invoices and credit notes expand once their object types are registered; until
        # then their ids stay as they are, as an id naming nothing does.
        expandable=frozenset({"customer", "invoice", "credit_note", "checkout_session"}),
    )
)
