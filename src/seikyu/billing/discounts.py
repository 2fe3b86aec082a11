"""Discounts: coupons and promotion codes redeemed for a customer, subscription, subscription
item, invoice or invoice item, in the order they apply.

Redeeming checks every restriction of the coupon and of the promotion code, then counts the
redemption on both under row locks taken in one fixed order (coupons by internal id, then
promotion codes by id), so concurrent redemptions never take a coupon or code past its
`max_redemptions` and never wait on each other in a circle. Deleting a discount stops it
applying; the redemption it used is not given back, as on Stripe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal, cast

from seikyu.billing import discount_repository as repository
from seikyu.billing.discount_repository import OwnerKey
from seikyu.billing.domain import discounts as domain
from seikyu.catalog import coupons, promotion_codes
from seikyu.catalog import discount_rules as rules
from seikyu.core.errors import Kind, SeikyuError, no_such
from seikyu.core.money import format_major
from seikyu.db.models.coupons import Coupon
from seikyu.db.models.discounts import Discount
from seikyu.db.models.promotion_codes import PromotionCode
from seikyu.db.uow import UnitOfWork

MAX_DISCOUNTS = 20
# Stripe's discount events are named after the customer whatever the owner, and are sent
# for the discounts of customers and subscriptions.
CREATED_EVENT = "customer.discount.created"
DELETED_EVENT = "customer.discount.deleted"

Duration = Literal["once", "repeating", "forever"]


@dataclass(frozen=True)
class DiscountRequest:
    """One entry of Stripe's `discounts[]` parameter: exactly one of the three is given."""

    coupon: str | None = None
    promotion_code: str | None = None  # a promo_ id
    discount: str | None = None  # an existing di_ id to keep


@dataclass(frozen=True)
class Owner:
    """Whose discounts: a customer's own (no other field set), or one object of that
    customer's. At most one of the fields after `customer_id` is set."""

    customer_id: str
    subscription_id: str | None = None
    subscription_item_id: str | None = None
    invoice_id: str | None = None
    invoice_item_id: str | None = None

    def __post_init__(self) -> None:
        owners = [f.name for f in fields(self)[1:] if getattr(self, f.name) is not None]
        if len(owners) > 1:
            raise ValueError(f"a discount has one owner, got {', '.join(owners)}")

    @property
    def key(self) -> OwnerKey:
        return OwnerKey(
            customer_id=self.customer_id,
            subscription_id=self.subscription_id,
            subscription_item_id=self.subscription_item_id,
            invoice_id=self.invoice_id,
            invoice_item_id=self.invoice_item_id,
        )

    @property
    def announces(self) -> bool:
        """Whether Stripe sends `customer.discount.*` events for this owner's discounts."""
        return (
            self.subscription_item_id is None
            and self.invoice_id is None
            and (self.invoice_item_id is None)
        )


# Live discounts by owner, as `of_owners` reads them in one query: what a renewal reads
# once and hands to everything that would read them again.
Owned = Mapping[Owner, list[Discount]]


@dataclass
class _Entry:
    """One request entry, resolved: a discount to keep, or a coupon (maybe through a
    promotion code) to redeem."""

    param: str
    kept: Discount | None = None
    coupon: Coupon | None = None
    promotion_code: PromotionCode | None = None
    direct: bool = False  # the coupon was named itself, not through a promotion code

    @property
    def coupon_internal_id(self) -> str:
        if self.kept is not None:
            return self.kept.coupon_internal_id
        assert self.coupon is not None
        return self.coupon.internal_id

    @property
    def coupon_id(self) -> str:
        if self.kept is not None:
            return self.kept.coupon_id
        assert self.coupon is not None
        return self.coupon.id


# --- redeeming --------------------------------------------------------------------------


def replace(
    uow: UnitOfWork,
    owner: Owner,
    requests: Sequence[DiscountRequest],
    *,
    param: str,
    currency: str | None,
    item_level: bool = False,
    is_update: bool = False,
) -> list[Discount]:
    """Make `requests` the owner's discounts, in order, and return them.

    New coupons and promotion codes are redeemed: every restriction is checked, then
    `times_redeemed` is counted on the coupon and the code under row locks. An entry
    naming an existing discount of the same customer keeps it: the owner's own discount
    stays as it is; another owner's (the customer's, say) is reused as a copy for this
    owner with the same coupon, code, start and end, redeeming nothing. The owner's other
    discounts are deleted. Errors name `param` and the entry, e.g. `discounts[0][coupon]`;
    with `param=""` they name the bare field (`coupon`, `promotion_code`), for endpoints
    that take a single coupon. `currency` (None: not known yet) refuses amount_off coupons
    with no amount in it; `item_level` and `is_update` refuse promotion codes with amount
    restrictions, as Stripe does for items and subscription updates. Nothing is written
    unless every entry is acceptable.
    """
    if len(requests) > MAX_DISCOUNTS:
        raise SeikyuError(
            f"You can apply at most {MAX_DISCOUNTS} discounts; {len(requests)} were given.",
            param=param or "discounts",
        )
    current = repository.live_of_owner(uow.session, uow.account_id, uow.livemode, owner.key)
    context = _Context(uow, owner, currency, item_level=item_level, is_update=is_update)
    entries = [
        context.resolve(request, f"{param}[{index}]" if param else "")
        for index, request in enumerate(requests)
    ]
    _refuse_repeated_coupons(entries)
    _redeem(uow, entries)
    return _write(uow, owner, current, entries)


def _named(prefix: str, field: str) -> str:
    return f"{prefix}[{field}]" if prefix else field


class _Context:
    """What every entry of one `replace` is checked against."""

    def __init__(
        self,
        uow: UnitOfWork,
        owner: Owner,
        currency: str | None,
        *,
        item_level: bool,
        is_update: bool,
    ) -> None:
        self.uow = uow
        self.owner = owner
        self.currency = None if currency is None else currency.lower()
        self.item_level = item_level
        self.is_update = is_update
        self._prior_transactions: bool | None = None

    def resolve(self, request: DiscountRequest, prefix: str) -> _Entry:
        given = [
            name
            for name in ("coupon", "promotion_code", "discount")
            if getattr(request, name) is not None
        ]
        if not given:
            raise SeikyuError(
                "Each discount needs one of coupon, promotion_code or discount.",
                param=_named(prefix, "coupon"),
                code="parameter_missing",
            )
        if len(given) > 1:
            raise SeikyuError(
                f"You may only specify one of these parameters: {', '.join(given)}.",
                param=_named(prefix, given[1]),
                code="parameters_exclusive",
            )
        if request.discount is not None:
            return self._existing(request.discount, _named(prefix, "discount"))
        if request.coupon is not None:
            return self._coupon(request.coupon, _named(prefix, "coupon"))
        assert request.promotion_code is not None
        return self._promotion_code(request.promotion_code, _named(prefix, "promotion_code"))

    def _existing(self, discount_id: str, param: str) -> _Entry:
        uow = self.uow
        discount = repository.get(uow.session, uow.account_id, uow.livemode, discount_id)
        if (
            discount is None
            or discount.deleted_at is not None
            or discount.customer_id != self.owner.customer_id
        ):
            raise no_such("discount", discount_id, param=param)
        return _Entry(param=param, kept=discount)

    def _coupon(self, coupon_id: str, param: str) -> _Entry:
        coupon = coupons.find(self.uow, coupon_id)
        if coupon is None:
            raise no_such("coupon", coupon_id, param=param)
        self._check_coupon(coupon, param)
        return _Entry(param=param, coupon=coupon, direct=True)

    def _check_coupon(self, coupon: Coupon, param: str) -> None:
        if not rules.coupon_valid(coupons.state(coupon), self.uow.now):
            raise _coupon_expired(coupon, param, direct=False)
        currency = self.currency
        if (
            currency is not None
            and coupon.amount_off is not None
            and amount_off_in(coupon, currency) is None
        ):
            raise SeikyuError(
                f"The coupon {coupon.id} takes an amount off in {_currencies(coupon)} only "
                f"and cannot be applied in {currency}.",
                param=param,
            )

    def _promotion_code(self, promotion_code_id: str, param: str) -> _Entry:
        uow = self.uow
        code = promotion_codes.find(uow, promotion_code_id)
        if code is None:
            raise no_such("promotion_code", promotion_code_id, param=param)
        if code.expires_at is not None and code.expires_at <= uow.now:
            raise SeikyuError(f"The promotion code {code.code} has expired.", param=param)
        if code.max_redemptions is not None and code.times_redeemed >= code.max_redemptions:
            raise _code_used_up(code, param)
        self._check_coupon(code.coupon, param)
        if not code.active:
            raise SeikyuError(f"The promotion code {code.code} is not active.", param=param)
        if code.customer is not None and code.customer != self.owner.customer_id:
            raise SeikyuError(
                f"The promotion code {code.code} is restricted to another customer.",
                param=param,
            )
        if code.minimum_amount is not None and (self.item_level or self.is_update):
            where = "to an item" if self.item_level else "when updating a subscription"
            raise SeikyuError(
                f"The promotion code {code.code} has a minimum amount restriction, so it "
                f"cannot be applied {where}.",
                param=param,
            )
        if code.first_time_transaction and self._has_prior_transactions():
            raise SeikyuError(
                f"The promotion code {code.code} cannot be redeemed because this customer "
                "has prior transactions.",
                param=param,
            )
        return _Entry(param=param, coupon=code.coupon, promotion_code=code)

    def _has_prior_transactions(self) -> bool:
        if self._prior_transactions is None:
            uow, owner = self.uow, self.owner
            subscription_id, invoice_id = owner.subscription_id, owner.invoice_id
            if owner.subscription_item_id is not None:
                subscription_id = repository.parent_of_subscription_item(
                    uow.session, owner.subscription_item_id
                )
            if owner.invoice_item_id is not None:
                invoice_id, subscription_id = repository.parents_of_invoice_item(
                    uow.session, owner.invoice_item_id
                )
            self._prior_transactions = repository.has_prior_transactions(
                uow.session,
                uow.account_id,
                uow.livemode,
                owner.customer_id,
                subscription_id=subscription_id,
                invoice_id=invoice_id,
            )
        return self._prior_transactions


def _refuse_repeated_coupons(entries: Sequence[_Entry]) -> None:
    seen: set[str] = set()
    for entry in entries:
        if entry.coupon_internal_id in seen:
            raise SeikyuError(
                f"The coupon {entry.coupon_id} is given more than once; a coupon can be "
                "applied only once to the same object.",
                param=entry.param,
            )
        seen.add(entry.coupon_internal_id)


def _redeem(uow: UnitOfWork, entries: Sequence[_Entry]) -> None:
    """Count the new redemptions, re-checking each limit on the locked, current row."""
    redeeming = [entry for entry in entries if entry.kept is None]
    by_coupon = {entry.coupon_internal_id: entry for entry in reversed(redeeming)}
    for internal_id in sorted(by_coupon):
        entry = by_coupon[internal_id]
        assert entry.coupon is not None
        coupon = repository.lock_coupon(uow.session, entry.coupon)
        if not rules.coupon_valid(coupons.state(coupon), uow.now):
            raise _coupon_expired(coupon, entry.param, direct=entry.direct)
        entry.coupon = coupon
    with_codes = {
        entry.promotion_code.id: entry for entry in redeeming if entry.promotion_code is not None
    }
    for code_id in sorted(with_codes):
        entry = with_codes[code_id]
        assert entry.promotion_code is not None
        code = repository.lock_promotion_code(uow.session, entry.promotion_code)
        if code.max_redemptions is not None and code.times_redeemed >= code.max_redemptions:
            raise _code_used_up(code, entry.param)
        if not code.active:
            raise SeikyuError(f"The promotion code {code.code} is not active.", param=entry.param)
        entry.promotion_code = code
    for entry in redeeming:
        redeemed = entry.coupon
        assert redeemed is not None
        redeemed.times_redeemed += 1
        if (
            redeemed.max_redemptions is not None
            and redeemed.times_redeemed >= redeemed.max_redemptions
        ):
            redeemed.valid = False  # exhaustion is stored; see Coupon.valid
        if entry.promotion_code is not None:
            entry.promotion_code.times_redeemed += 1


def _write(
    uow: UnitOfWork, owner: Owner, current: Sequence[Discount], entries: Sequence[_Entry]
) -> list[Discount]:
    result: list[Discount] = []
    kept_ids: set[str] = set()
    for position, entry in enumerate(entries):
        kept = entry.kept
        if kept is not None and _is_owned_by(kept, owner):
            kept.position = position
            kept_ids.add(kept.id)
            result.append(kept)
            continue
        discount = _new_discount(uow, owner, entry, position)
        repository.add(uow.session, discount)
        if owner.announces:
            uow.emit(CREATED_EVENT, discount)
        result.append(discount)
    for discount in current:
        if discount.id not in kept_ids:
            _delete(uow, owner, discount)
    return result


def _new_discount(uow: UnitOfWork, owner: Owner, entry: _Entry, position: int) -> Discount:
    kept = entry.kept
    if kept is not None:
        # Another owner's discount reused here: the same redemption, so the same terms,
        # the same window and the same use of a `once` coupon.
        coupon_internal_id, coupon_id = kept.coupon_internal_id, kept.coupon_id
        promotion_code_id, start, end = kept.promotion_code_id, kept.start, kept.end
        used_at = kept.used_at
    else:
        coupon = entry.coupon
        assert coupon is not None
        coupon_internal_id, coupon_id = coupon.internal_id, coupon.id
        promotion_code_id = None if entry.promotion_code is None else entry.promotion_code.id
        start = uow.now
        end = (
            domain.discount_end(start, coupon.duration_in_months)
            if coupon.duration == "repeating" and coupon.duration_in_months is not None
            else None
        )
        used_at = None
    return Discount(
        id=uow.new_id("di"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        coupon_internal_id=coupon_internal_id,
        coupon_id=coupon_id,
        promotion_code_id=promotion_code_id,
        customer_id=owner.customer_id,
        subscription_id=owner.subscription_id,
        subscription_item_id=owner.subscription_item_id,
        invoice_id=owner.invoice_id,
        invoice_item_id=owner.invoice_item_id,
        position=position,
        start=start,
        end=end,
        used_at=used_at,
        deleted_at=None,
    )


def _is_owned_by(discount: Discount, owner: Owner) -> bool:
    return (
        discount.customer_id == owner.customer_id
        and discount.subscription_id == owner.subscription_id
        and discount.subscription_item_id == owner.subscription_item_id
        and discount.invoice_id == owner.invoice_id
        and discount.invoice_item_id == owner.invoice_item_id
    )


def _delete(uow: UnitOfWork, owner: Owner, discount: Discount) -> None:
    if owner.announces:
        uow.emit_now(DELETED_EVENT, discount)
    discount.deleted_at = uow.now


def _coupon_expired(coupon: Coupon, param: str, *, direct: bool) -> SeikyuError:
    """A deleted coupon named directly is gone, as on the coupon endpoints; any other
    coupon that can no longer be redeemed is expired (Stripe's `coupon_expired`)."""
    if direct and coupon.deleted_at is not None:
        return no_such("coupon", coupon.id, param=param)
    return SeikyuError(f"Coupon expired: {coupon.id}", param=param, code="coupon_expired")


def _code_used_up(code: PromotionCode, param: str) -> SeikyuError:
    return SeikyuError(
        f"The promotion code {code.code} has reached its max_redemptions and can no longer "
        "be redeemed.",
        param=param,
    )


def _currencies(coupon: Coupon) -> str:
    return ", ".join([str(coupon.currency), *sorted(coupon.currency_options)])


# --- reading ----------------------------------------------------------------------------


def of_owner(uow: UnitOfWork, owner: Owner) -> list[Discount]:
    """The owner's live discounts, in the order they apply."""
    return repository.live_of_owner(uow.session, uow.account_id, uow.livemode, owner.key)


def of_owners(uow: UnitOfWork, owners: Sequence[Owner]) -> dict[Owner, list[Discount]]:
    """`of_owner` for several owners (an invoice's items, say) in one query."""
    found = repository.live_of_owners(
        uow.session, uow.account_id, uow.livemode, [owner.key for owner in owners]
    )
    return {owner: found[owner.key] for owner in owners}


def completed(
    uow: UnitOfWork, owned: Owned, owners: Sequence[Owner]
) -> dict[Owner, list[Discount]]:
    """`owned` (what `of_owners` gave earlier in this unit) with the live discounts of those
    of `owners` it lacks, read in one query."""
    missing = [owner for owner in owners if owner not in owned]
    return {**owned, **of_owners(uow, missing)} if missing else dict(owned)


def customer_discount(uow: UnitOfWork, customer_id: str) -> Discount | None:
    """The discount shown as `customer.discount`: the customer's own, unless a repeating
    one has run out."""
    for discount in of_owner(uow, Owner(customer_id)):
        if discount.end is None or discount.end > uow.now:
            return discount
    return None


def get(uow: UnitOfWork, discount_id: str, *, param: str | None = "id") -> Discount:
    discount = find(uow, discount_id)
    if discount is None:
        raise no_such("discount", discount_id, param=param)
    return discount


def find(uow: UnitOfWork, discount_id: str) -> Discount | None:
    """Any discount of the account, deleted ones included: invoices keep naming the
    discounts that applied to them."""
    return repository.get(uow.session, uow.account_id, uow.livemode, discount_id)


def coupon_of(uow: UnitOfWork, discount: Discount) -> Coupon:
    """The coupon the discount was redeemed from, even if deleted since."""
    found = repository.coupons_by_internal_id(
        uow.session, uow.account_id, uow.livemode, [discount.coupon_internal_id]
    )
    coupon = found[discount.coupon_internal_id]
    coupons.observe(uow, coupon)
    return coupon


def amount_off_in(coupon: Coupon, currency: str) -> int | None:
    """An amount_off coupon's amount in `currency`, or None if it has none there."""
    currency = currency.lower()
    if coupon.amount_off is None:
        return None
    if coupon.currency == currency:
        return coupon.amount_off
    amount = coupon.currency_options.get(currency)
    return None if amount is None else int(amount)


def to_domain(
    uow: UnitOfWork, discounts: Sequence[Discount], currency: str
) -> tuple[domain.Discount, ...]:
    """The discounts as the billing domain computes with them, in the same order: coupon
    terms resolved to `currency`, duration, start and end filled in. A discount whose
    coupon has no amount in `currency` cannot apply, and is left out."""
    found = repository.coupons_by_internal_id(
        uow.session, uow.account_id, uow.livemode, (d.coupon_internal_id for d in discounts)
    )
    out: list[domain.Discount] = []
    for discount in discounts:
        coupon = found[discount.coupon_internal_id]
        products = (
            None if coupon.applies_to_products is None else frozenset(coupon.applies_to_products)
        )
        if coupon.percent_off is not None:
            terms = domain.Coupon(percent_off=coupon.percent_off, applies_to_products=products)
        else:
            amount = amount_off_in(coupon, currency)
            if amount is None:
                continue
            terms = domain.Coupon(amount_off=amount, applies_to_products=products)
        duration = cast(Duration, coupon.duration)
        out.append(
            domain.Discount(
                id=discount.id,
                coupon=terms,
                duration=duration,
                start=discount.start,
                end=discount.end if duration == "repeating" else None,
            )
        )
    return tuple(out)


def used_once(discounts: Iterable[Discount]) -> frozenset[str]:
    """Ids of the discounts an invoice has already used (a `once` discount applies no more)."""
    return frozenset(discount.id for discount in discounts if discount.used_at is not None)


def mark_used(uow: UnitOfWork, discount_ids: Iterable[str]) -> None:
    """Record that the discounts were applied to a finalized invoice, keeping the first
    time for those already marked."""
    repository.mark_used(
        uow.session, uow.account_id, uow.livemode, sorted(set(discount_ids)), uow.now
    )


def check_minimum_amount(
    uow: UnitOfWork, discounts: Sequence[Discount], amount: int, currency: str, *, param: str
) -> None:
    """Refuse a promotion code whose `restrictions.minimum_amount` the first invoice's
    `amount` (before discounts) does not reach in `currency`.

    Call it once, when the discounts are redeemed: Stripe checks the minimum at redemption
    only, so later invoices below it keep the discount (G-6.8). A code with a minimum but
    none in `currency` is refused too. Errors name `param[i][promotion_code]`, `i` being
    the discount's place in `discounts`.
    """
    currency = currency.lower()
    found = repository.promotion_codes_by_id(
        uow.session,
        uow.account_id,
        uow.livemode,
        (d.promotion_code_id for d in discounts if d.promotion_code_id is not None),
    )
    for index, discount in enumerate(discounts):
        if discount.promotion_code_id is None:
            continue
        code = found.get(discount.promotion_code_id)
        if code is None or code.minimum_amount is None:
            continue
        entry = _named(f"{param}[{index}]" if param else "", "promotion_code")
        minimum = _minimum_in(code, currency)
        if minimum is None:
            raise SeikyuError(
                f"The promotion code {code.code} has a minimum amount in "
                f"{code.minimum_amount_currency} and cannot be used in {currency}.",
                param=entry,
            )
        if amount < minimum:
            raise SeikyuError(
                f"The promotion code {code.code} needs an order of at least "
                f"{format_major(minimum, currency)} {currency}; this one comes to "
                f"{format_major(amount, currency)} {currency}.",
                param=entry,
            )


def _minimum_in(code: PromotionCode, currency: str) -> int | None:
    if code.minimum_amount_currency == currency:
        return code.minimum_amount
    minimum = code.currency_options.get(currency)
    return None if minimum is None else int(minimum)


# --- deleting ---------------------------------------------------------------------------


def delete(uow: UnitOfWork, owner: Owner) -> Discount | None:
    """Remove the owner's discounts (Stripe's `DELETE .../discount`); returns the first of
    them, now deleted, or None if the owner had none."""
    current = of_owner(uow, owner)
    for discount in current:
        _delete(uow, owner, discount)
    return current[0] if current else None


def end_expired(uow: UnitOfWork, owned: Owned, at: datetime) -> int:
    """Remove the discounts whose `end` has come by `at` from `owned` (the live discounts
    of some owners, as `of_owners` gives them), as Stripe removes a coupon whose duration
    has run out (with `customer.discount.deleted` where it announces them); returns how
    many."""
    ended = 0
    for owner, found in owned.items():
        for discount in found:
            if discount.end is not None and discount.end <= at:
                _delete(uow, owner, discount)
                ended += 1
    return ended


def no_discount(customer_id: str) -> SeikyuError:
    """Stripe's refusal to delete the discount of a customer who has none."""
    return SeikyuError(
        f"No active discount for customer: {customer_id}",
        kind=Kind.NOT_FOUND,
        code="resource_missing",
    )
