"""/v1/credit_notes"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params, Timestamp, bad
from seikyu.api.render.credit_note import render_credit_note, render_line
from seikyu.api.routing import Call, Router
from seikyu.billing import credit_notes as service
from seikyu.billing.credit_note_lines import CUSTOM_LINE_ITEM, INVOICE_LINE_ITEM, LineRequest
from seikyu.billing.credit_note_refunds import RefundLink
from seikyu.billing.credit_note_repository import CreditNoteFilter
from seikyu.billing.credit_notes import CreditNoteChanges, CreditNoteRequest
from seikyu.core.clock import from_unix
from seikyu.core.errors import SeikyuError, invalid, missing
from seikyu.db.models.credit_notes import CreditNote

router = Router()

INT64_MAX = 2**63 - 1

Id = Annotated[str, Field(min_length=1, max_length=5000)]
Str = Annotated[str, Field(max_length=5000)]
Amount = Annotated[int, Field(ge=0, le=INT64_MAX)]
Positive = Annotated[int, Field(ge=1, le=INT64_MAX)]
Reason = Literal["duplicate", "fraudulent", "order_change", "product_unsatisfactory"]
PREVIEW_LINES = "/v1/credit_notes/preview/lines"
# Fields only one type of line takes.
_CUSTOM_ONLY = ("description", "unit_amount", "unit_amount_decimal", "tax_rates")
_INVOICE_LINE_ONLY = ("invoice_line_item", "amount")


class TaxAmountParams(Params):
    amount: int
    tax_rate: Id
    taxable_amount: int


class LineParams(Params):
    type: Literal["custom_line_item", "invoice_line_item"]
    amount: Positive | None = None
    description: Str | None = None
    invoice_line_item: Id | None = None
    metadata: Metadata | None = None
    quantity: Positive | None = None
    tax_amounts: Annotated[list[TaxAmountParams], Field(max_length=20)] | None = None
    tax_rates: Annotated[list[Id], Field(max_length=5)] | None = None
    unit_amount: Amount | None = None
    unit_amount_decimal: Annotated[Decimal, Field(ge=0, le=INT64_MAX, decimal_places=12)] | None = (
        None
    )

    @field_validator("tax_amounts")
    @classmethod
    def _no_tax_amounts(cls, value: list[TaxAmountParams] | None) -> Any:
        if value:
            raise bad(
                "Tax amounts are set by automatic tax calculation, which is not available; "
                "credit tax with tax_rates instead."
            )
        return value

    def request(self, param: str) -> LineRequest:
        wrong = _INVOICE_LINE_ONLY if self.type == CUSTOM_LINE_ITEM else _CUSTOM_ONLY
        for name in wrong:
            if getattr(self, name) is not None:
                raise invalid(
                    f"`{name}` is not valid for a line of type `{self.type}`.",
                    param=f"{param}[{name}]",
                )
        if self.type == INVOICE_LINE_ITEM:
            return self._invoice_line(param)
        return self._custom_line(param)

    def _invoice_line(self, param: str) -> LineRequest:
        if self.invoice_line_item is None:
            raise missing(f"{param}[invoice_line_item]")
        if self.quantity is not None and self.amount is not None:
            raise _exclusive(param, "quantity", "amount")
        if self.quantity is None and self.amount is None:
            raise invalid(
                "Pass `quantity` or `amount` to credit an invoice line item.",
                param=f"{param}[quantity]",
            )
        return LineRequest(
            type=INVOICE_LINE_ITEM,
            param=param,
            invoice_line_item=self.invoice_line_item,
            quantity=self.quantity,
            amount=self.amount,
            metadata=self.metadata,
        )

    def _custom_line(self, param: str) -> LineRequest:
        if self.unit_amount is not None and self.unit_amount_decimal is not None:
            raise _exclusive(param, "unit_amount", "unit_amount_decimal")
        unit = (
            Decimal(self.unit_amount) if self.unit_amount is not None else self.unit_amount_decimal
        )
        if unit is None:
            raise missing(f"{param}[unit_amount]")
        return LineRequest(
            type=CUSTOM_LINE_ITEM,
            param=param,
            quantity=self.quantity or 1,
            description=self.description,
            unit_amount=unit,
            tax_rates=tuple(self.tax_rates or ()),
            metadata=self.metadata,
        )


class PaymentRecordRefundParams(Params):
    payment_record: Id
    refund_group: Id


class RefundParams(Params):
    amount_refunded: Positive | None = None
    refund: Id | None = None
    type: Literal["payment_record_refund", "refund"] | None = None
    payment_record_refund: PaymentRecordRefundParams | None = None

    @field_validator("type")
    @classmethod
    def _refunds_only(cls, value: str | None) -> str | None:
        if value == "payment_record_refund":
            raise bad("Payment records are not supported: link a refund (`type=refund`).")
        return value

    @field_validator("payment_record_refund")
    @classmethod
    def _no_payment_records(cls, value: Any) -> Any:
        if value is not None:
            raise bad("Payment records are not supported: link a refund with `refund`.")
        return value


class ShippingCostParams(Params):
    shipping_rate: Id | None = None


class CreditNoteParams(Expandable):
    """What create, preview and preview lines take."""

    invoice: Id
    amount: Positive | None = None
    credit_amount: Amount | None = None
    effective_at: Timestamp | None = None
    # Seikyu sends no e-mail; accepted so requests written for Stripe work.
    email_type: Literal["credit_note", "none"] | None = None
    lines: Annotated[list[LineParams], Field(max_length=100)] | None = None
    memo: Str | None = None
    metadata: Metadata | None = None
    out_of_band_amount: Amount | None = None
    reason: Reason | None = None
    refund_amount: Amount | None = None
    refunds: Annotated[list[RefundParams], Field(max_length=20)] | None = None
    shipping_cost: ShippingCostParams | None = None

    @field_validator("shipping_cost")
    @classmethod
    def _no_shipping(cls, value: ShippingCostParams | None) -> Any:
        if value is not None:
            raise bad("Shipping costs are not supported: invoices here have no shipping rate.")
        return value

    def request(self) -> CreditNoteRequest:
        lines = tuple(line.request(f"lines[{i}]") for i, line in enumerate(self.lines or ()))
        links = []
        for index, link in enumerate(self.refunds or ()):
            if link.refund is None:
                raise missing(f"refunds[{index}][refund]")
            links.append(RefundLink(link.refund, f"refunds[{index}]", link.amount_refunded))
        return CreditNoteRequest(
            invoice=self.invoice,
            lines=lines,
            amount=self.amount,
            credit_amount=self.credit_amount,
            refund_amount=self.refund_amount,
            out_of_band_amount=self.out_of_band_amount,
            refunds=tuple(links),
            reason=self.reason,
            memo=self.memo,
            metadata=self.metadata,
            effective_at=None if self.effective_at is None else from_unix(self.effective_at),
        )


class PreviewLines(CreditNoteParams):
    limit: Annotated[int, Field(ge=1, le=100)] = 10
    starting_after: Annotated[str, Field(max_length=5000)] | None = None
    ending_before: Annotated[str, Field(max_length=5000)] | None = None


class CreditNoteUpdate(Expandable):
    memo: Str | None = None
    metadata: Metadata | None = None

    def changes(self) -> CreditNoteChanges:
        changes = CreditNoteChanges()
        if self.given("memo"):
            changes["memo"] = self.memo
        if self.given("metadata"):
            changes["metadata"] = self.metadata
        return changes


class CreditNoteList(ListParams):
    customer: Id | None = None
    invoice: Id | None = None


class LineList(Expandable):
    limit: Annotated[int, Field(ge=1, le=100)] = 10
    starting_after: Annotated[str, Field(max_length=5000)] | None = None
    ending_before: Annotated[str, Field(max_length=5000)] | None = None


def _exclusive(param: str, first: str, second: str) -> SeikyuError:
    return SeikyuError(
        f"You may only specify one of these parameters: {first}, {second}.",
        param=f"{param}[{second}]",
        code="parameters_exclusive",
    )


@router.post("/v1/credit_notes", CreditNoteParams)
def create(call: Call[CreditNoteParams]) -> dict[str, Any]:
    return render_credit_note(service.create(call.uow, call.processor, call.params.request()))


@router.get("/v1/credit_notes/preview", CreditNoteParams)
def preview(call: Call[CreditNoteParams]) -> dict[str, Any]:
    note = service.preview(call.uow, call.params.request())
    return render_credit_note(note, lines_url=PREVIEW_LINES)


@router.get(PREVIEW_LINES, PreviewLines)
def preview_lines(call: Call[PreviewLines]) -> dict[str, Any]:
    params = call.params
    note, page = service.preview_line_page(
        call.uow,
        params.request(),
        limit=params.limit,
        starting_after=params.starting_after,
        ending_before=params.ending_before,
    )
    return lists.envelope(call.url, page, lambda line: render_line(line, note))


@router.get("/v1/credit_notes/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_credit_note(service.get(call.uow, call.path["id"]))


@router.post("/v1/credit_notes/{id}", CreditNoteUpdate)
def update(call: Call[CreditNoteUpdate]) -> dict[str, Any]:
    note = service.update(call.uow, call.path["id"], call.params.changes())
    return render_credit_note(note)


@router.post("/v1/credit_notes/{id}/void", Expandable)
def void(call: Call[Expandable]) -> dict[str, Any]:
    return render_credit_note(service.void(call.uow, call.path["id"]))


@router.get("/v1/credit_notes/{id}/lines", LineList)
def list_lines(call: Call[LineList]) -> dict[str, Any]:
    params = call.params
    note, page = service.line_page(
        call.uow,
        call.path["id"],
        limit=params.limit,
        starting_after=params.starting_after,
        ending_before=params.ending_before,
    )
    return lists.envelope(call.url, page, lambda line: render_line(line, note))


@router.get("/v1/credit_notes", CreditNoteList)
def list_credit_notes(call: Call[CreditNoteList]) -> dict[str, Any]:
    params = call.params
    where = CreditNoteFilter(customer_id=params.customer, invoice_id=params.invoice)
    page = service.page(call.uow, lists.window(params), where)
    return lists.envelope(call.url, page, render_credit_note)


registry.register(
    registry.ObjectSpec(
        name="credit_note",
        prefix="cn",
        model=CreditNote,
        render=render_credit_note,
        load=service.find,
        expandable=frozenset(
            {
                "customer",
                "customer_balance_transaction",
                "discount_amounts.discount",
                "invoice",
                "refunds.refund",
            }
        ),
    )
)
