"""Redeeming coupons and promotion codes as discounts, on SQLite and PostgreSQL: every
restriction, the order, keeping and deleting, the redemption counts, the terms the billing
domain gets, and concurrent redemptions that never pass a coupon's max_redemptions."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from sqlalchemy import JSON, Boolean, DateTime, Integer, Numeric, Table, func, insert, select

from seikyu.api.expand import expand
from seikyu.api.render.discount import render_discount
from seikyu.api.resources import all_routers
from seikyu.billing import discounts
from seikyu.billing.discounts import DiscountRequest, Owner
from seikyu.billing.domain.discounts import Coupon as TermsCoupon
from seikyu.billing.domain.discounts import in_effect
from seikyu.catalog import coupons, products, promotion_codes
from seikyu.core.errors import SeikyuError
from seikyu.customers import service as customers
from seikyu.db.base import Base
from seikyu.db.models import Event
from seikyu.db.models.discounts import Discount
from seikyu.db.models.invoices import Invoice
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.models.subscriptions import Subscription
from seikyu.db.uow import Actor, Database, UnitOfWork
from tests.conftest import TestAccount as Account

# Event rows are rendered through the API's registry, filled by importing the resources.
all_routers()

SUBSCRIPTION = "sub_0000000000000000000001"
INVOICE = "in_0000000000000000000001"


# --- helpers ---------------------------------------------------------------------------


def customer(db: Database, account: Account) -> str:
    with db.unit(Actor(account.id)) as uow:
        return customers.create(uow, {}).id


def coupon(db: Database, account: Account, *, now: datetime | None = None, **fields: Any) -> str:
    if "amount_off" not in fields:
        fields.setdefault("percent_off", Decimal(10))
    with db.unit(Actor(account.id), now=now) as uow:
        return coupons.create(uow, fields).id  # type: ignore[arg-type]


def code(db: Database, account: Account, coupon_id: str, **fields: Any) -> str:
    with db.unit(Actor(account.id)) as uow:
        return promotion_codes.create(uow, {"coupon": coupon_id, **fields}).id  # type: ignore[typeddict-item]


def redeem(
    db: Database,
    account: Account,
    owner: Owner,
    *requests: DiscountRequest,
    now: datetime | None = None,
    currency: str | None = "usd",
    item_level: bool = False,
    is_update: bool = False,
) -> list[str]:
    with db.unit(Actor(account.id), now=now) as uow:
        made = discounts.replace(
            uow,
            owner,
            requests,
            param="discounts",
            currency=currency,
            item_level=item_level,
            is_update=is_update,
        )
        return [discount.id for discount in made]


def refusal(
    db: Database, account: Account, owner: Owner, *requests: DiscountRequest, **kwargs: Any
) -> SeikyuError:
    with pytest.raises(SeikyuError) as info:
        redeem(db, account, owner, *requests, **kwargs)
    return info.value


def times_redeemed(db: Database, account: Account, coupon_id: str) -> int:
    with db.unit(Actor(account.id)) as uow:
        return coupons.get(uow, coupon_id).times_redeemed


def code_redeemed(db: Database, account: Account, promotion_code_id: str) -> int:
    with db.unit(Actor(account.id)) as uow:
        return promotion_codes.get(uow, promotion_code_id).times_redeemed


def live(db: Database, account: Account, owner: Owner) -> list[tuple[str, str]]:
    with db.unit(Actor(account.id)) as uow:
        return [(d.id, d.coupon_id) for d in discounts.of_owner(uow, owner)]


def C(coupon_id: str) -> DiscountRequest:
    return DiscountRequest(coupon=coupon_id)


def P(promotion_code_id: str) -> DiscountRequest:
    return DiscountRequest(promotion_code=promotion_code_id)


def D(discount_id: str) -> DiscountRequest:
    return DiscountRequest(discount=discount_id)


def insert_row(uow: UnitOfWork, model: type[Base], **values: Any) -> None:
    """A row with the given values and a placeholder in every other required column: the
    first-time check reads only a few columns of invoices, subscriptions and intents."""
    row: dict[str, Any] = {
        "account_id": uow.account_id,
        "livemode": False,
        "created": uow.now,
        **values,
    }
    for column in model.__table__.columns:
        if column.name in row or column.nullable or column.default is not None:
            continue
        kind = column.type
        if isinstance(kind, DateTime) or type(kind).__name__ == "UTCDateTime":
            row[column.name] = uow.now
        elif isinstance(kind, JSON) or type(kind).__name__ == "JsonType":
            row[column.name] = {}
        elif isinstance(kind, Boolean):
            row[column.name] = False
        elif isinstance(kind, Integer | Numeric) or type(kind).__name__ == "ExactDecimal":
            row[column.name] = 0
        else:
            row[column.name] = "x"
    uow.session.execute(insert(cast(Table, model.__table__)).values(**row))


# --- redemption -------------------------------------------------------------------------


def test_new_discounts_are_kept_in_the_order_given(db: Database, account: Account) -> None:
    cus = customer(db, account)
    first, second, third = (coupon(db, account) for _ in range(3))
    owner = Owner(cus, subscription_id=SUBSCRIPTION)

    made = redeem(db, account, owner, C(second), C(third), C(first))

    assert [coupon_id for _, coupon_id in live(db, account, owner)] == [second, third, first]
    assert [discount_id for discount_id, _ in live(db, account, owner)] == made
    assert all(discount_id.startswith("di_") for discount_id in made)


def test_redeeming_counts_on_the_coupon_and_the_promotion_code(
    db: Database, account: Account
) -> None:
    cus = customer(db, account)
    plain = coupon(db, account)
    behind_code = coupon(db, account)
    promo = code(db, account, behind_code)

    redeem(db, account, Owner(cus), C(plain), P(promo))

    assert times_redeemed(db, account, plain) == 1
    assert times_redeemed(db, account, behind_code) == 1
    assert code_redeemed(db, account, promo) == 1
    with db.unit(Actor(account.id)) as uow:
        made = discounts.of_owner(uow, Owner(cus))
        assert [d.promotion_code_id for d in made] == [None, promo]
        assert made[0].customer_id == cus
        assert made[0].subscription_id is None


def test_replace_keeps_named_discounts_and_deletes_the_others(
    db: Database, account: Account
) -> None:
    cus = customer(db, account)
    dropped, kept, added = (coupon(db, account) for _ in range(3))
    owner = Owner(cus, subscription_id=SUBSCRIPTION)
    first_id, kept_id = redeem(db, account, owner, C(dropped), C(kept))

    redeem(db, account, owner, C(added), D(kept_id))

    now_live = live(db, account, owner)
    assert [coupon_id for _, coupon_id in now_live] == [added, kept]
    assert now_live[1][0] == kept_id  # the same discount, not a new one
    assert times_redeemed(db, account, kept) == 1  # keeping redeems nothing
    with db.unit(Actor(account.id)) as uow:
        assert discounts.get(uow, first_id).deleted_at is not None
    assert times_redeemed(db, account, dropped) == 1  # Stripe never gives one back


def test_an_empty_list_removes_every_discount(db: Database, account: Account) -> None:
    cus = customer(db, account)
    owner = Owner(cus, invoice_id=INVOICE)
    redeem(db, account, owner, C(coupon(db, account)))

    assert redeem(db, account, owner) == []
    assert live(db, account, owner) == []


def test_a_customer_discount_is_reused_by_a_subscription_without_a_new_redemption(
    db: Database, account: Account
) -> None:
    cus = customer(db, account)
    repeating = coupon(db, account, duration="repeating", duration_in_months=3)
    (customer_level,) = redeem(db, account, Owner(cus), C(repeating))

    (reused,) = redeem(db, account, Owner(cus, subscription_id=SUBSCRIPTION), D(customer_level))

    assert reused != customer_level
    assert times_redeemed(db, account, repeating) == 1
    with db.unit(Actor(account.id)) as uow:
        original, copy = discounts.get(uow, customer_level), discounts.get(uow, reused)
        assert (copy.coupon_id, copy.start, copy.end) == (repeating, original.start, original.end)
        assert original.deleted_at is None  # the customer keeps its own


def test_a_discount_of_another_customer_cannot_be_named(db: Database, account: Account) -> None:
    (theirs,) = redeem(db, account, Owner(customer(db, account)), C(coupon(db, account)))

    error = refusal(db, account, Owner(customer(db, account)), D(theirs))

    assert (error.code, error.param) == ("resource_missing", "discounts[0][discount]")


def test_a_deleted_discount_cannot_be_kept(db: Database, account: Account) -> None:
    cus = customer(db, account)
    owner = Owner(cus, subscription_id=SUBSCRIPTION)
    (old,) = redeem(db, account, owner, C(coupon(db, account)))
    redeem(db, account, owner)

    error = refusal(db, account, owner, D(old))

    assert (error.code, error.param) == ("resource_missing", "discounts[0][discount]")


# --- coupon restrictions ----------------------------------------------------------------


def test_a_deleted_coupon_is_refused(db: Database, account: Account) -> None:
    gone = coupon(db, account)
    with db.unit(Actor(account.id)) as uow:
        coupons.delete(uow, gone)

    error = refusal(db, account, Owner(customer(db, account)), C(gone))

    assert (error.code, error.param) == ("resource_missing", "discounts[0][coupon]")


def test_a_coupon_past_its_redeem_by_is_refused_but_existing_discounts_apply(
    db: Database, account: Account
) -> None:
    """G-6.7: no new redemption after redeem_by; an existing forever discount keeps going."""
    start = datetime(2030, 1, 10, tzinfo=UTC)
    forever = coupon(
        db, account, now=start, duration="forever", redeem_by=start + timedelta(days=30)
    )
    early, late = customer(db, account), customer(db, account)
    redeem(db, account, Owner(early), C(forever), now=start)

    error = refusal(db, account, Owner(late), C(forever), now=start + timedelta(days=31))

    assert error.code == "coupon_expired"
    assert error.param == "discounts[0][coupon]"
    assert error.message == f"Coupon expired: {forever}"
    with db.unit(Actor(account.id), now=start + timedelta(days=400)) as uow:
        (terms,) = discounts.to_domain(uow, discounts.of_owner(uow, Owner(early)), "usd")
        assert in_effect(terms, invoice_at=uow.now, already_applied=True)


def test_a_coupon_stops_at_max_redemptions_and_becomes_invalid(
    db: Database, account: Account
) -> None:
    twice = coupon(db, account, max_redemptions=2)
    for _ in range(2):
        redeem(db, account, Owner(customer(db, account)), C(twice))

    error = refusal(db, account, Owner(customer(db, account)), C(twice))

    assert (error.code, error.param) == ("coupon_expired", "discounts[0][coupon]")
    assert times_redeemed(db, account, twice) == 2
    with db.unit(Actor(account.id)) as uow:
        assert coupons.get(uow, twice).valid is False


def test_an_amount_off_coupon_needs_an_amount_in_the_currency(
    db: Database, account: Account
) -> None:
    cus = customer(db, account)
    dollars = coupon(db, account, amount_off=500, currency="usd")
    multi = coupon(db, account, amount_off=500, currency="usd", currency_options={"eur": 450})
    percent = coupon(db, account)

    error = refusal(db, account, Owner(cus, invoice_id=INVOICE), C(dollars), currency="eur")
    assert error.param == "discounts[0][coupon]"
    assert "eur" in error.message

    made = redeem(db, account, Owner(cus, invoice_id=INVOICE), C(multi), C(percent), currency="eur")
    assert len(made) == 2
    # Before the currency is known (a customer's own discount), any coupon is accepted.
    assert len(redeem(db, account, Owner(cus), C(dollars), currency=None)) == 1


def test_a_coupon_may_appear_only_once(db: Database, account: Account) -> None:
    cus = customer(db, account)
    twice = coupon(db, account)
    promo = code(db, account, twice)

    error = refusal(db, account, Owner(cus), C(twice), P(promo))

    assert error.param == "discounts[1][promotion_code]"
    assert times_redeemed(db, account, twice) == 0


def test_keeping_a_discount_and_redeeming_its_coupon_again_is_a_duplicate(
    db: Database, account: Account
) -> None:
    cus = customer(db, account)
    once = coupon(db, account)
    owner = Owner(cus, subscription_id=SUBSCRIPTION)
    (existing,) = redeem(db, account, owner, C(once))

    error = refusal(db, account, owner, D(existing), C(once))

    assert error.param == "discounts[1][coupon]"


# --- the shape of the request -----------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "code_", "param"),
    [
        (DiscountRequest(), "parameter_missing", "discounts[0][coupon]"),
        (
            DiscountRequest(coupon="A", promotion_code="promo_x"),
            "parameters_exclusive",
            "discounts[0][promotion_code]",
        ),
        (
            DiscountRequest(coupon="A", discount="di_x"),
            "parameters_exclusive",
            "discounts[0][discount]",
        ),
    ],
)
def test_each_entry_names_exactly_one_source(
    db: Database, account: Account, request_: DiscountRequest, code_: str, param: str
) -> None:
    error = refusal(db, account, Owner(customer(db, account)), request_)

    assert (error.code, error.param) == (code_, param)


def test_unknown_coupon_and_promotion_code_are_named(db: Database, account: Account) -> None:
    cus = customer(db, account)
    known = coupon(db, account)

    missing_coupon = refusal(db, account, Owner(cus), C(known), C("NOPE"))
    missing_code = refusal(db, account, Owner(cus), P("promo_nope"))

    assert (missing_coupon.code, missing_coupon.param) == (
        "resource_missing",
        "discounts[1][coupon]",
    )
    assert (missing_code.code, missing_code.param) == (
        "resource_missing",
        "discounts[0][promotion_code]",
    )
    assert times_redeemed(db, account, known) == 0  # nothing half-written


def test_at_most_twenty_discounts(db: Database, account: Account) -> None:
    cus = customer(db, account)
    ids = [coupon(db, account) for _ in range(21)]

    error = refusal(db, account, Owner(cus, subscription_id=SUBSCRIPTION), *map(C, ids))

    assert error.param == "discounts"
    assert (
        len(redeem(db, account, Owner(cus, subscription_id=SUBSCRIPTION), *map(C, ids[:20]))) == 20
    )


def test_a_bare_param_names_the_field_itself(db: Database, account: Account) -> None:
    with db.unit(Actor(account.id)) as uow, pytest.raises(SeikyuError) as info:
        discounts.replace(
            uow, Owner(customers.create(uow, {}).id), [C("NOPE")], param="", currency=None
        )

    assert info.value.param == "coupon"


# --- promotion code restrictions --------------------------------------------------------


def test_an_inactive_promotion_code_is_refused(db: Database, account: Account) -> None:
    promo = code(db, account, coupon(db, account))
    with db.unit(Actor(account.id)) as uow:
        promotion_codes.update(uow, promo, {"active": False})

    error = refusal(db, account, Owner(customer(db, account)), P(promo))

    assert error.param == "discounts[0][promotion_code]"
    assert "not active" in error.message


def test_an_expired_promotion_code_is_refused(db: Database, account: Account) -> None:
    now = datetime.now(UTC)
    promo = code(db, account, coupon(db, account), expires_at=now + timedelta(hours=1))

    error = refusal(
        db, account, Owner(customer(db, account)), P(promo), now=now + timedelta(hours=2)
    )

    assert error.param == "discounts[0][promotion_code]"
    assert "expired" in error.message


def test_a_used_up_promotion_code_is_refused(db: Database, account: Account) -> None:
    behind = coupon(db, account)
    promo = code(db, account, behind, max_redemptions=1)
    redeem(db, account, Owner(customer(db, account)), P(promo))

    error = refusal(db, account, Owner(customer(db, account)), P(promo))

    assert error.param == "discounts[0][promotion_code]"
    assert "max_redemptions" in error.message
    assert (code_redeemed(db, account, promo), times_redeemed(db, account, behind)) == (1, 1)


def test_a_promotion_code_of_an_exhausted_coupon_is_refused(db: Database, account: Account) -> None:
    once = coupon(db, account, max_redemptions=1)
    promo = code(db, account, once)
    redeem(db, account, Owner(customer(db, account)), C(once))

    error = refusal(db, account, Owner(customer(db, account)), P(promo))

    assert (error.code, error.param) == ("coupon_expired", "discounts[0][promotion_code]")


def test_a_customer_bound_code_serves_only_its_customer(db: Database, account: Account) -> None:
    owner_id, stranger = customer(db, account), customer(db, account)
    promo = code(db, account, coupon(db, account), customer=owner_id)

    error = refusal(db, account, Owner(stranger), P(promo))
    assert error.param == "discounts[0][promotion_code]"

    assert len(redeem(db, account, Owner(owner_id), P(promo))) == 1


@pytest.mark.parametrize("restricted", ["item_level", "is_update"])
def test_minimum_amount_codes_are_refused_for_items_and_updates(
    db: Database, account: Account, restricted: str
) -> None:
    promo = code(
        db,
        account,
        coupon(db, account),
        minimum_amount=1000,
        minimum_amount_currency="usd",
    )
    plain = code(db, account, coupon(db, account))
    owner = Owner(customer(db, account), subscription_id=SUBSCRIPTION)

    item_level = restricted == "item_level"

    error = refusal(
        db, account, owner, P(plain), P(promo), item_level=item_level, is_update=not item_level
    )

    assert error.param == "discounts[1][promotion_code]"
    assert "minimum amount" in error.message
    made = redeem(db, account, owner, P(plain), item_level=item_level, is_update=not item_level)
    assert len(made) == 1


def _first_time_code(db: Database, account: Account) -> str:
    return code(db, account, coupon(db, account), first_time_transaction=True)


def test_a_first_time_code_is_for_customers_without_history(db: Database, account: Account) -> None:
    promo = _first_time_code(db, account)
    cus = customer(db, account)
    with db.unit(Actor(account.id)) as uow:
        # Neither a draft invoice nor the customer's own new trial subscription counts.
        insert_row(uow, Invoice, id="in_draft1", customer_id=cus, status="draft")
        insert_row(uow, Subscription, id=SUBSCRIPTION, customer_id=cus, trial_start=uow.now)

    made = redeem(db, account, Owner(cus, subscription_id=SUBSCRIPTION), P(promo))

    assert len(made) == 1


@pytest.mark.parametrize("history", ["payment_intent", "paid_invoice", "trial"])
def test_a_first_time_code_refuses_customers_with_history(
    db: Database, account: Account, history: str
) -> None:
    promo = _first_time_code(db, account)
    cus = customer(db, account)
    with db.unit(Actor(account.id)) as uow:
        if history == "payment_intent":
            # Even one that never succeeded.
            insert_row(
                uow, PaymentIntent, id="pi_old1", customer_id=cus, status="requires_payment_method"
            )
        elif history == "paid_invoice":
            insert_row(uow, Invoice, id="in_old1", customer_id=cus, status="paid", amount_paid=1200)
        else:
            insert_row(uow, Subscription, id="sub_old1", customer_id=cus, trial_start=uow.now)

    error = refusal(db, account, Owner(cus, subscription_id=SUBSCRIPTION), P(promo))

    assert error.param == "discounts[0][promotion_code]"
    assert "prior transactions" in error.message
    assert code_redeemed(db, account, promo) == 0


# --- minimum amounts --------------------------------------------------------------------


def test_minimum_amount_is_checked_against_the_first_invoice(
    db: Database, account: Account
) -> None:
    """G-6.8: a 10000 usd minimum accepts a 12000 first invoice and refuses a 9999 one."""
    promo = code(
        db,
        account,
        coupon(db, account),
        minimum_amount=10000,
        minimum_amount_currency="usd",
        currency_options={"eur": 9000},
    )
    plain = code(db, account, coupon(db, account))
    cus = customer(db, account)
    with db.unit(Actor(account.id)) as uow:
        made = discounts.replace(
            uow,
            Owner(cus, subscription_id=SUBSCRIPTION),
            [P(plain), P(promo)],
            param="discounts",
            currency=None,
        )
        discounts.check_minimum_amount(uow, made, 12000, "usd", param="discounts")
        discounts.check_minimum_amount(uow, made, 10000, "usd", param="discounts")
        discounts.check_minimum_amount(uow, made, 9000, "eur", param="discounts")
        with pytest.raises(SeikyuError) as below:
            discounts.check_minimum_amount(uow, made, 9999, "usd", param="discounts")
        with pytest.raises(SeikyuError) as below_eur:
            discounts.check_minimum_amount(uow, made, 8999, "eur", param="discounts")
        with pytest.raises(SeikyuError) as no_minimum:
            discounts.check_minimum_amount(uow, made, 10**6, "gbp", param="discounts")

    assert below.value.param == "discounts[1][promotion_code]"
    assert "100.00" in below.value.message
    assert below_eur.value.param == "discounts[1][promotion_code]"
    assert no_minimum.value.param == "discounts[1][promotion_code]"


# --- what the billing domain gets -------------------------------------------------------


def test_to_domain_resolves_currency_and_leaves_out_what_cannot_apply(
    db: Database, account: Account
) -> None:
    product = None
    with db.unit(Actor(account.id)) as uow:
        product = products.create(uow, {"name": "Seats"}).id
    percent = coupon(db, account, percent_off=Decimal("12.5"), applies_to_products=[product])
    eur_too = coupon(db, account, amount_off=500, currency="usd", currency_options={"eur": 450})
    usd_only = coupon(db, account, amount_off=300, currency="usd")
    cus = customer(db, account)
    redeem(db, account, Owner(cus), C(percent), C(eur_too), C(usd_only), currency=None)

    with db.unit(Actor(account.id)) as uow:
        mine = discounts.of_owner(uow, Owner(cus))
        in_eur = discounts.to_domain(uow, mine, "eur")
        in_usd = discounts.to_domain(uow, mine, "usd")

    assert [d.coupon for d in in_eur] == [
        TermsCoupon(percent_off=Decimal("12.5"), applies_to_products=frozenset({product})),
        TermsCoupon(amount_off=450),
    ]
    assert [d.id for d in in_eur] == [mine[0].id, mine[1].id]
    assert [d.coupon.amount_off for d in in_usd] == [None, 500, 300]
    assert all(d.duration == "once" and d.end is None for d in in_usd)


def test_a_repeating_discount_ends_after_its_months(db: Database, account: Account) -> None:
    """G-6.6: repeating 3 from 2024-01-10 covers Jan, Feb and Mar; 04-10 is full price."""
    start = datetime(2024, 1, 10, 12, tzinfo=UTC)
    repeating = coupon(db, account, now=start, duration="repeating", duration_in_months=3)
    cus = customer(db, account)
    owner = Owner(cus, subscription_id=SUBSCRIPTION)
    redeem(db, account, owner, C(repeating), now=start)

    with db.unit(Actor(account.id), now=start) as uow:
        (stored,) = discounts.of_owner(uow, owner)
        (terms,) = discounts.to_domain(uow, [stored], "usd")

    assert stored.end == datetime(2024, 4, 10, 12, tzinfo=UTC)
    assert (terms.duration, terms.start, terms.end) == ("repeating", start, stored.end)
    billed = [datetime(2024, month, 10, 12, tzinfo=UTC) for month in (1, 2, 3, 4)]
    assert [in_effect(terms, invoice_at=at, already_applied=True) for at in billed] == [
        True,
        True,
        True,
        False,
    ]


def test_a_once_discount_is_used_by_its_first_finalized_invoice(
    db: Database, account: Account
) -> None:
    cus = customer(db, account)
    owner = Owner(cus, subscription_id=SUBSCRIPTION)
    first, second = redeem(db, account, owner, C(coupon(db, account)), C(coupon(db, account)))
    used_at = datetime(2031, 5, 1, tzinfo=UTC)

    with db.unit(Actor(account.id), now=used_at) as uow:
        discounts.mark_used(uow, [first])
    with db.unit(Actor(account.id), now=used_at + timedelta(days=30)) as uow:
        discounts.mark_used(uow, [first, second])
        mine = discounts.of_owner(uow, owner)

    assert discounts.used_once(mine) == frozenset({first, second})
    assert mine[0].used_at == used_at  # the first use stays the first


# --- deleting and the customer's own discount --------------------------------------------


def test_delete_removes_the_owners_discounts(db: Database, account: Account) -> None:
    cus = customer(db, account)
    owner = Owner(cus, subscription_id=SUBSCRIPTION)
    first, _ = redeem(db, account, owner, C(coupon(db, account)), C(coupon(db, account)))

    with db.unit(Actor(account.id)) as uow:
        deleted = discounts.delete(uow, owner)
        assert deleted is not None
        assert deleted.id == first
        assert deleted.deleted_at == uow.now
        assert discounts.delete(uow, owner) is None
    assert live(db, account, owner) == []


def test_customer_discount_is_the_customers_own_while_it_runs(
    db: Database, account: Account
) -> None:
    start = datetime(2031, 1, 10, tzinfo=UTC)
    cus = customer(db, account)
    repeating = coupon(db, account, now=start, duration="repeating", duration_in_months=1)
    redeem(db, account, Owner(cus, subscription_id=SUBSCRIPTION), C(coupon(db, account)))
    (own,) = redeem(db, account, Owner(cus), C(repeating), now=start)

    with db.unit(Actor(account.id), now=start + timedelta(days=5)) as uow:
        running = discounts.customer_discount(uow, cus)
    with db.unit(Actor(account.id), now=start + timedelta(days=40)) as uow:
        ended = discounts.customer_discount(uow, cus)

    assert running is not None
    assert running.id == own
    assert ended is None


def test_customer_and_subscription_discounts_are_announced(db: Database, account: Account) -> None:
    cus = customer(db, account)
    redeem(db, account, Owner(cus), C(coupon(db, account)))
    redeem(db, account, Owner(cus, subscription_id=SUBSCRIPTION), C(coupon(db, account)))
    redeem(db, account, Owner(cus, invoice_id=INVOICE), C(coupon(db, account)))
    redeem(db, account, Owner(cus))

    with db.unit() as uow:
        rows = uow.session.execute(
            select(Event.type, Event.data)
            .where(Event.account_id == account.id, Event.type.like("customer.discount.%"))
            .order_by(Event.id)
        ).all()
    assert [row.type for row in rows] == [
        "customer.discount.created",
        "customer.discount.created",
        "customer.discount.deleted",
    ]
    assert rows[1].data["object"]["subscription"] == SUBSCRIPTION
    assert rows[2].data["object"]["customer"] == cus


# --- rendering -------------------------------------------------------------------------


def test_a_discount_expands_to_the_coupon_it_was_redeemed_from(
    db: Database, account: Account
) -> None:
    cus = customer(db, account)
    old = coupon(db, account, id="REUSED", amount_off=300, currency="usd")
    promo = code(db, account, old)
    (discount_id,) = redeem(db, account, Owner(cus), P(promo))
    with db.unit(Actor(account.id)) as uow:
        coupons.delete(uow, old)
    coupon(db, account, id="REUSED")  # the id is free again, for another coupon

    with db.unit(Actor(account.id)) as uow:
        shown = render_discount(discounts.get(uow, discount_id))
        expanded = expand(
            uow,
            render_discount(discounts.get(uow, discount_id)),
            ["source.coupon", "promotion_code", "customer"],
        )

    assert shown["source"] == {"coupon": "REUSED", "type": "coupon"}
    assert expanded["source"]["coupon"] == {"id": "REUSED", "object": "coupon", "deleted": True}
    assert (expanded["promotion_code"]["id"], expanded["customer"]["id"]) == (promo, cus)


# --- concurrency ------------------------------------------------------------------------


def _race(
    db: Database, account: Account, requests: list[DiscountRequest], racers: int
) -> list[str]:
    owners = [customer(db, account) for _ in range(racers)]
    start = threading.Barrier(racers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(cus: str) -> None:
        start.wait()
        try:
            redeem(db, account, Owner(cus), *requests)
            outcome = "redeemed"
        except SeikyuError as error:
            outcome = error.code or error.message
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(cus,)) for cus in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_concurrent_redemptions_never_pass_max_redemptions(db: Database, account: Account) -> None:
    limited = coupon(db, account, max_redemptions=3)

    outcomes = _race(db, account, [C(limited)], racers=7)

    assert sorted(outcomes) == ["coupon_expired"] * 4 + ["redeemed"] * 3
    assert times_redeemed(db, account, limited) == 3
    with db.unit() as uow:
        made = uow.session.scalar(
            select(func.count()).select_from(Discount).where(Discount.account_id == account.id)
        )
    assert made == 3


def test_concurrent_redemptions_never_pass_a_codes_max_redemptions(
    db: Database, account: Account
) -> None:
    behind = coupon(db, account)
    promo = code(db, account, behind, max_redemptions=2)

    outcomes = _race(db, account, [P(promo)], racers=6)

    assert outcomes.count("redeemed") == 2
    assert (code_redeemed(db, account, promo), times_redeemed(db, account, behind)) == (2, 2)
