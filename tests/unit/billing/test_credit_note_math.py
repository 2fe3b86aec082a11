"""Credit note arithmetic: proportional discounts and taxes, repeated partial credits adding
up to the line exactly, custom lines, totals, and where the credit goes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seikyu.billing.domain.credit_note import (
    Allocation,
    CreditedBy,
    CreditLine,
    CreditNoteAction,
    CreditNoteStatus,
    CreditNoteType,
    CustomCredit,
    InvoiceLineState,
    LineCredit,
    Share,
    Tax,
    check_allocation,
    check_creditable,
    credit_invoice_line,
    custom_lines,
    split,
    totals,
    transition,
    unit_amount_of,
)
from seikyu.billing.domain.tax import TaxRate, TaxSettings
from seikyu.core.errors import SeikyuError

VAT_10 = TaxRate("txr_vat", Decimal(10))
INCL_20 = TaxRate("txr_incl", Decimal(20), inclusive=True)


def seats(**changes: object) -> InvoiceLineState:
    """3 seats at 1000, 10% off by the line's own coupon, 10% VAT on the 2700 left."""
    fields: dict[str, object] = {
        "id": "il_seats",
        "amount": 3000,
        "quantity": 3,
        "discount_amounts": (Share("di_item", 300),),
        "taxes": (Tax("txr_vat", False, 2700, 270),),
        "item_discounts": frozenset({"di_item"}),
    }
    fields.update(changes)
    return InvoiceLineState(**fields)  # type: ignore[arg-type]


def credited(line: InvoiceLineState, result: CreditLine) -> InvoiceLineState:
    """The line after `result` was issued."""
    return InvoiceLineState(
        id=line.id,
        amount=line.amount,
        quantity=line.quantity,
        discount_amounts=line.discount_amounts,
        taxes=line.taxes,
        item_discounts=line.item_discounts,
        credited_amount=line.credited_amount + result.amount,
        credited_quantity=line.credited_quantity
        + (result.quantity or 0 if result.credited_by is CreditedBy.QUANTITY else 0),
        credited_by=result.credited_by,
    )


def test_one_seat_of_three_credits_a_third_of_its_discount_and_tax() -> None:
    line = credit_invoice_line(seats(), LineCredit("lines[0]", quantity=1))
    assert (line.amount, line.quantity, line.credited_by) == (1000, 1, CreditedBy.QUANTITY)
    assert line.discount_amounts == (Share("di_item", 100),)
    assert line.taxes == (Tax("txr_vat", False, 900, 90),)
    amounts = totals([line])
    # 1000 less its 100 discount, plus 90 tax.
    assert (amounts.subtotal, amounts.discount_amount, amounts.total) == (900, 100, 990)
    assert amounts.total_excluding_tax == 900


def test_an_amount_credits_its_share_of_discount_and_tax() -> None:
    line = credit_invoice_line(seats(), LineCredit("lines[0]", amount=500))
    assert (line.amount, line.quantity, line.credited_by) == (500, 1, CreditedBy.AMOUNT)
    assert line.discount_amounts == (Share("di_item", 50),)
    assert line.taxes == (Tax("txr_vat", False, 450, 45),)


def test_thirds_of_an_odd_line_add_up_to_the_line_exactly() -> None:
    state = InvoiceLineState(
        id="il_odd",
        amount=100,
        quantity=3,
        discount_amounts=(Share("di_x", 7),),
        taxes=(Tax("txr_vat", False, 93, 9),),
    )
    parts = []
    for _ in range(3):
        part = credit_invoice_line(state, LineCredit("lines[0]", quantity=1))
        parts.append(part)
        state = credited(state, part)
    assert [p.amount for p in parts] == [33, 34, 33]
    assert [p.discount_amounts[0].amount for p in parts] == [2, 3, 2]
    assert [p.taxes[0].amount for p in parts] == [3, 3, 3]
    assert sum(p.taxes[0].taxable_amount for p in parts) == 93


@given(
    amount=st.integers(min_value=1, max_value=10**9),
    discount=st.integers(min_value=0, max_value=10**6),
    tax=st.integers(min_value=0, max_value=10**6),
    cuts=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=6),
)
def test_credits_by_amount_never_give_back_more_than_the_line(
    amount: int, discount: int, tax: int, cuts: list[int]
) -> None:
    state = InvoiceLineState(
        id="il_p",
        amount=amount,
        quantity=1,
        discount_amounts=(Share("di_x", discount),),
        taxes=(Tax("txr_vat", False, amount - discount, tax),),
    )
    given_back = [0, 0]
    for cut in cuts:
        left = amount - state.credited_amount
        if left == 0:
            break
        part = credit_invoice_line(state, LineCredit("lines[0]", amount=min(cut, left)))
        given_back[0] += part.discount_amounts[0].amount
        given_back[1] += part.taxes[0].amount
        assert part.discount_amounts[0].amount >= 0
        assert part.taxes[0].amount >= 0
        state = credited(state, part)
    assert given_back[0] <= discount
    assert given_back[1] <= tax
    if state.credited_amount < amount:
        rest = credit_invoice_line(
            state, LineCredit("lines[0]", amount=amount - state.credited_amount)
        )
        given_back[0] += rest.discount_amounts[0].amount
        given_back[1] += rest.taxes[0].amount
    assert given_back == [discount, tax]


def test_inclusive_tax_stays_inside_the_amount() -> None:
    state = InvoiceLineState(
        id="il_incl",
        amount=1200,
        quantity=1,
        discount_amounts=(),
        taxes=(Tax("txr_incl", True, 1000, 200),),
    )
    amounts = totals([credit_invoice_line(state, LineCredit("lines[0]", amount=600))])
    assert (amounts.total, amounts.total_excluding_tax, amounts.subtotal_excluding_tax) == (
        600,
        500,
        500,
    )
    assert amounts.total_taxes == (Tax("txr_incl", True, 500, 100),)


def test_an_invoice_discount_leaves_the_subtotal_but_not_the_total() -> None:
    state = seats(discount_amounts=(Share("di_item", 300), Share("di_invoice", 270)))
    amounts = totals([credit_invoice_line(state, LineCredit("lines[0]", quantity=3))])
    assert (amounts.subtotal, amounts.discount_amount) == (2700, 570)
    assert amounts.discount_amounts == (Share("di_item", 300), Share("di_invoice", 270))
    assert amounts.total == 3000 - 570 + 270


@pytest.mark.parametrize(
    ("request_", "param"),
    [
        (LineCredit("lines[2]", quantity=4), "lines[2][quantity]"),
        (LineCredit("lines[2]", amount=3001), "lines[2][amount]"),
    ],
)
def test_more_than_is_left_is_refused(request_: LineCredit, param: str) -> None:
    with pytest.raises(SeikyuError) as error:
        credit_invoice_line(seats(), request_)
    assert error.value.param == param


def test_a_line_keeps_the_way_it_was_first_credited() -> None:
    by_quantity = seats(credited_amount=1000, credited_quantity=1, credited_by=CreditedBy.QUANTITY)
    with pytest.raises(SeikyuError) as error:
        credit_invoice_line(by_quantity, LineCredit("lines[0]", amount=10))
    assert error.value.param == "lines[0][amount]"
    by_amount = seats(credited_amount=10, credited_by=CreditedBy.AMOUNT)
    with pytest.raises(SeikyuError) as error:
        credit_invoice_line(by_amount, LineCredit("lines[0]", quantity=1))
    assert error.value.param == "lines[0][quantity]"


def test_a_credit_line_of_an_invoice_cannot_be_credited() -> None:
    with pytest.raises(SeikyuError) as error:
        credit_invoice_line(seats(amount=-500), LineCredit("lines[1]", amount=1))
    assert error.value.param == "lines[1][invoice_line_item]"


def test_custom_lines_are_taxed_at_their_own_rates() -> None:
    lines = custom_lines(
        [
            CustomCredit(Decimal(250), 2, (VAT_10,)),
            CustomCredit(Decimal("0.5"), 3),
            CustomCredit(Decimal(1200), 1, (INCL_20,)),
        ],
        TaxSettings(),
    )
    assert [line.amount for line in lines] == [500, 2, 1200]  # 1.5 rounds half up to 2
    assert [line.taxes for line in lines] == [
        (Tax("txr_vat", False, 500, 50),),
        (),
        (Tax("txr_incl", True, 1000, 200),),
    ]
    assert totals(lines).total == 500 + 50 + 2 + 1200


def test_a_unit_amount_is_exact_to_twelve_places() -> None:
    assert unit_amount_of(seats()) == Decimal(1000)
    assert unit_amount_of(seats(amount=100)) == Decimal("33.333333333333")


@pytest.mark.parametrize(
    ("total", "remaining", "pre", "post", "kind"),
    [
        (400, 1000, 400, 0, CreditNoteType.PRE_PAYMENT),
        (1000, 1000, 1000, 0, CreditNoteType.PRE_PAYMENT),
        (1200, 1000, 1000, 200, CreditNoteType.MIXED),
        (300, 0, 0, 300, CreditNoteType.POST_PAYMENT),
    ],
)
def test_what_is_due_is_credited_first(
    total: int, remaining: int, pre: int, post: int, kind: CreditNoteType
) -> None:
    where = split(total, remaining)
    assert (where.pre_payment, where.post_payment, where.type) == (pre, post, kind)


def test_the_post_payment_amount_must_be_split_exactly() -> None:
    check_allocation(
        300, Allocation(credit_amount=100, refund_amount=150, out_of_band_amount=50), param="x"
    )
    with pytest.raises(SeikyuError) as error:
        check_allocation(300, Allocation(credit_amount=100), param="credit_amount")
    assert error.value.param == "credit_amount"
    with pytest.raises(SeikyuError):
        check_allocation(0, Allocation(out_of_band_amount=1), param="out_of_band_amount")


def test_a_credit_note_needs_a_total_within_what_is_left() -> None:
    check_creditable(500, 500, param="amount")
    for total in (0, 501):
        with pytest.raises(SeikyuError) as error:
            check_creditable(total, 500, param="lines")
        assert error.value.param == "lines"


def test_only_an_issued_credit_note_is_voided() -> None:
    move = transition(CreditNoteStatus.ISSUED, CreditNoteAction.VOID)
    assert (move.status, move.events) == (CreditNoteStatus.VOID, ("credit_note.voided",))
    with pytest.raises(SeikyuError) as error:
        transition(CreditNoteStatus.VOID, CreditNoteAction.VOID)
    assert error.value.code == "status_transition_invalid"
