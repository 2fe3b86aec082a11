"""/v1/invoices"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from seikyu.api import lists, registry
from seikyu.api.params import (
    Expandable,
    ListParams,
    Metadata,
    Params,
    RangeFilter,
    Timestamp,
    moment,
)
from seikyu.api.render.invoice import render_invoice, render_line, render_payment
from seikyu.api.routing import Call, Router
from seikyu.billing import invoice_collection, invoice_finalization
from seikyu.billing import invoices as service
from seikyu.billing.discounts import DiscountRequest
from seikyu.billing.invoice_repository import InvoiceFilter
from seikyu.billing.invoices import InvoiceFields
from seikyu.core.errors import SeikyuError
from seikyu.db.models.invoice_payments import InvoicePayment
from seikyu.db.models.invoices import Invoice
from seikyu.db.uow import UnitOfWork
from seikyu.payments import payment_intents
from seikyu.payments.payment_intents import Redirect

router = Router()

Str = Annotated[str, Field(max_length=5000)]
Id = Annotated[str, Field(max_length=500)]
CollectionMethod = Literal["charge_automatically", "send_invoice"]


class DiscountParam(Params):
    coupon: Id | None = None
    discount: Id | None = None
    promotion_code: Id | None = None

    def request(self) -> DiscountRequest:
        return DiscountRequest(
            coupon=self.coupon, promotion_code=self.promotion_code, discount=self.discount
        )


class InvoiceWrite(Expandable):
    """Fields typed `X | None` may be cleared with ""; the others may not (Stripe's
    `parameter_invalid_empty`), so their defaults are values, never sent when unset."""

    auto_advance: bool = False
    collection_method: CollectionMethod = "charge_automatically"
    days_until_due: Annotated[int, Field(ge=0, le=10_000)] = 0
    due_date: Timestamp = 0
    default_payment_method: Id | None = None
    default_tax_rates: Annotated[list[Id], Field(max_length=5)] | None = None
    description: Annotated[str, Field(max_length=1500)] | None = None
    discounts: Annotated[list[DiscountParam], Field(max_length=20)] | None = None
    footer: Annotated[str, Field(max_length=5000)] | None = None
    metadata: Metadata | None = None
    number: Annotated[str, Field(max_length=26)] | None = None
    statement_descriptor: Annotated[str, Field(max_length=22)] | None = None

    def fields(self) -> InvoiceFields:
        fields: dict[str, Any] = {}
        for name in (
            "auto_advance",
            "collection_method",
            "days_until_due",
            "default_payment_method",
            "default_tax_rates",
            "description",
            "footer",
            "metadata",
            "number",
            "statement_descriptor",
        ):
            if self.given(name):
                fields[name] = getattr(self, name)
        if self.given("due_date"):
            fields["due_date"] = moment(self.due_date)
        if self.given("discounts"):
            fields["discounts"] = [d.request() for d in self.discounts or []]
        return fields  # type: ignore[return-value]


class InvoiceCreate(InvoiceWrite):
    customer: Id
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    pending_invoice_items_behavior: Literal["exclude", "include"] = "exclude"
    subscription: Id | None = None

    def fields(self) -> InvoiceFields:
        fields = super().fields()
        fields["customer"] = self.customer
        for name in ("currency", "pending_invoice_items_behavior", "subscription"):
            if self.given(name):
                fields[name] = getattr(self, name)
        return fields


class InvoiceFinalize(Expandable):
    auto_advance: bool = False


class InvoicePay(Expandable):
    paid_out_of_band: bool = False
    payment_method: Id | None = None
    off_session: bool = True
    forgive: bool = False
    mandate: Id | None = None
    source: Id | None = None


class InvoiceList(ListParams):
    customer: Id | None = None
    subscription: Id | None = None
    status: Literal["draft", "open", "paid", "uncollectible", "void"] | None = None
    collection_method: CollectionMethod | None = None
    due_date: RangeFilter | None = None


class LineList(Expandable):
    limit: Annotated[int, Field(ge=1, le=100)] = 10
    starting_after: Id | None = None
    ending_before: Id | None = None


def _redirect(call: Call[Any]) -> Redirect:
    return Redirect(call.base_url, None)


@router.post("/v1/invoices", InvoiceCreate)
def create(call: Call[InvoiceCreate]) -> dict[str, Any]:
    return render_invoice(service.create(call.uow, call.params.fields()))


@router.get("/v1/invoices/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_invoice(service.get(call.uow, call.path["id"]))


@router.post("/v1/invoices/{id}", InvoiceWrite)
def update(call: Call[InvoiceWrite]) -> dict[str, Any]:
    return render_invoice(service.update(call.uow, call.path["id"], call.params.fields()))


@router.delete("/v1/invoices/{id}", Expandable)
def delete(call: Call[Expandable]) -> dict[str, Any]:
    return render_invoice(service.delete(call.uow, call.path["id"]))


@router.post("/v1/invoices/{id}/finalize", InvoiceFinalize)
def finalize(call: Call[InvoiceFinalize]) -> dict[str, Any]:
    invoice = invoice_finalization.finalize(
        call.uow,
        call.processor,
        call.path["id"],
        auto_advance=call.params.auto_advance if call.params.given("auto_advance") else None,
        redirect=_redirect(call),
    )
    return render_invoice(invoice)


@router.post("/v1/invoices/{id}/pay", InvoicePay)
def pay(call: Call[InvoicePay]) -> dict[str, Any]:
    params = call.params
    if params.source is not None or params.mandate is not None:
        raise SeikyuError(
            "Sources and mandates are not supported: pay with a `payment_method`.",
            param="source" if params.source is not None else "mandate",
        )
    try:
        invoice = invoice_collection.pay(
            call.uow,
            call.processor,
            call.path["id"],
            payment_method=params.payment_method,
            paid_out_of_band=params.paid_out_of_band,
            off_session=params.off_session,
            redirect=_redirect(call),
        )
    except SeikyuError as error:
        if error.keep_changes and error.subject is not None:
            error.extra["payment_intent"] = registry.render(error.subject)
        raise
    return render_invoice(invoice)


@router.post("/v1/invoices/{id}/void", Expandable)
def void(call: Call[Expandable]) -> dict[str, Any]:
    return render_invoice(invoice_collection.void(call.uow, call.processor, call.path["id"]))


@router.post("/v1/invoices/{id}/mark_uncollectible", Expandable)
def mark_uncollectible(call: Call[Expandable]) -> dict[str, Any]:
    return render_invoice(invoice_collection.mark_uncollectible(call.uow, call.path["id"]))


@router.post("/v1/invoices/{id}/send", Expandable)
def send(call: Call[Expandable]) -> dict[str, Any]:
    return render_invoice(invoice_collection.send(call.uow, call.path["id"]))


@router.get("/v1/invoices", InvoiceList)
def list_invoices(call: Call[InvoiceList]) -> dict[str, Any]:
    params = call.params
    due = params.due_date or RangeFilter()
    where = InvoiceFilter(
        customer_id=params.customer,
        subscription_id=params.subscription,
        status=params.status,
        collection_method=params.collection_method,
        due_date_gt=moment(due.gt),
        due_date_gte=moment(due.gte),
        due_date_lt=moment(due.lt),
        due_date_lte=moment(due.lte),
    )
    page = service.page(call.uow, lists.window(params), where)
    return lists.envelope(call.url, page, render_invoice)


@router.get("/v1/invoices/{id}/lines", LineList)
def list_lines(call: Call[LineList]) -> dict[str, Any]:
    invoice = service.get(call.uow, call.path["id"])
    page = service.line_page(
        call.uow,
        invoice.id,
        limit=call.params.limit,
        starting_after=call.params.starting_after,
        ending_before=call.params.ending_before,
    )
    return lists.envelope(call.url, page, lambda line: render_line(line, invoice))


def _payments(uow: UnitOfWork, shown: dict[str, Any]) -> dict[str, Any]:
    rows = invoice_collection.payments_of(uow, shown["id"])
    return {
        "object": "list",
        "data": [render_payment(row) for row in rows],
        "has_more": False,
        "url": f"/v1/invoice_payments?invoice={shown['id']}",
    }


def _confirmation_secret(uow: UnitOfWork, shown: dict[str, Any]) -> dict[str, Any] | None:
    invoice = service.find(uow, shown["id"])
    if invoice is None or invoice.payment_intent_id is None:
        return None
    intent = payment_intents.get(uow, invoice.payment_intent_id)
    return {"client_secret": intent.client_secret, "type": "payment_intent"}


registry.register(
    registry.ObjectSpec(
        name="invoice",
        prefix="in",
        model=Invoice,
        render=render_invoice,
        load=service.find,
        expandable=frozenset({"customer", "default_payment_method", "discounts"}),
        includable={"payments": _payments, "confirmation_secret": _confirmation_secret},
    )
)

registry.register(
    registry.ObjectSpec(
        name="invoice_payment",
        prefix="inpay",
        model=InvoicePayment,
        render=render_payment,
        load=invoice_collection.find_payment,
        expandable=frozenset({"invoice", "payment.payment_intent"}),
    )
)
