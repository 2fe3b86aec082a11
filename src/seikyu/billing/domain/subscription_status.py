"""Subscription statuses and the one table that moves a subscription between them.

Every status change of a subscription goes through `transition`, which looks the move up in
`TRANSITIONS` (Stripe's subscription lifecycle: incomplete -> active or incomplete_expired;
trialing -> active, past_due or paused; active <-> past_due -> unpaid; anything -> canceled)
and returns the new status with the events the change emits. A move that is not in the table
is refused with Stripe's error fields, so a service never sets `subscription.status` by hand.
A new subscription's first status comes from `initial_status` (or `start`, with its event).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from seikyu.core.errors import SeikyuError, invalid


class SubscriptionStatus(StrEnum):
    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    UNPAID = "unpaid"
    CANCELED = "canceled"
    PAUSED = "paused"


class SubscriptionAction(StrEnum):
    # The first invoice of an `incomplete` subscription is paid; the second form is for a
    # subscription whose trial began with a charge (one-time items), so it goes on trialing.
    FIRST_PAYMENT_SUCCEEDED = "first_payment_succeeded"
    FIRST_PAYMENT_SUCCEEDED_IN_TRIAL = "first_payment_succeeded_in_trial"
    # The first invoice stayed unpaid for 23 hours.
    FIRST_PAYMENT_EXPIRED = "first_payment_expired"
    # The trial reached `trial_end`; each outcome of the first invoice is its own action.
    TRIAL_ENDED_PAID = "trial_ended_paid"
    TRIAL_ENDED_UNPAID = "trial_ended_unpaid"
    TRIAL_ENDED_PAUSE = "trial_ended_pause"
    # An update moves `trial_end`: to `now` (the trial ends and its invoice was paid), or
    # to a future time on a subscription that is not trialing.
    END_TRIAL_NOW = "end_trial_now"
    START_TRIAL = "start_trial"
    PAYMENT_FAILED = "payment_failed"
    PAYMENT_SUCCEEDED = "payment_succeeded"
    # A `send_invoice` invoice passed its due date unpaid.
    OVERDUE = "overdue"
    # Dunning ran out with the "mark unpaid" setting; its "cancel" setting is CANCEL.
    RETRIES_EXHAUSTED_UNPAID = "retries_exhausted_unpaid"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class Transition:
    """Where an action leaves a subscription, and the event types to emit, in order."""

    status: SubscriptionStatus
    events: tuple[str, ...]


# Stripe's wording and code for a refused move are not documented per action; this code is
# the documented generic one ("the requested status transition is not valid").
STATUS_TRANSITION_INVALID = "status_transition_invalid"

CREATED = ("customer.subscription.created",)
# Every status change is an update of the subscription object, except its end: Stripe
# reports a subscription that ends (canceled) only as deleted. A subscription that expires
# unpaid is reported as updated (its status field changes to incomplete_expired).
_UPDATED = ("customer.subscription.updated",)
_DELETED = ("customer.subscription.deleted",)
# Pausing and resuming have their own events, documented as applying exactly when the status
# enters or leaves `paused`; the status field still changes, so the update is sent as well.
_PAUSED = ("customer.subscription.paused", "customer.subscription.updated")
_RESUMED = ("customer.subscription.resumed", "customer.subscription.updated")
# A move that keeps the status changes nothing on the subscription, so it emits nothing; it
# is in the table so that a repeated outcome (a retry that fails again) is not an error.
_UNCHANGED: tuple[str, ...] = ()

_S = SubscriptionStatus
_A = SubscriptionAction

TRANSITIONS: Mapping[tuple[SubscriptionStatus, SubscriptionAction], Transition] = MappingProxyType(
    {
        (_S.INCOMPLETE, _A.FIRST_PAYMENT_SUCCEEDED): Transition(_S.ACTIVE, _UPDATED),
        (_S.INCOMPLETE, _A.FIRST_PAYMENT_SUCCEEDED_IN_TRIAL): Transition(_S.TRIALING, _UPDATED),
        (_S.INCOMPLETE, _A.FIRST_PAYMENT_EXPIRED): Transition(_S.INCOMPLETE_EXPIRED, _UPDATED),
        (_S.INCOMPLETE, _A.CANCEL): Transition(_S.CANCELED, _DELETED),
        (_S.TRIALING, _A.TRIAL_ENDED_PAID): Transition(_S.ACTIVE, _UPDATED),
        # missing_payment_method=create_invoice: the invoice finalizes with nothing to
        # charge, or its charge fails.
        (_S.TRIALING, _A.TRIAL_ENDED_UNPAID): Transition(_S.PAST_DUE, _UPDATED),
        # missing_payment_method=pause; missing_payment_method=cancel is CANCEL.
        (_S.TRIALING, _A.TRIAL_ENDED_PAUSE): Transition(_S.PAUSED, _PAUSED),
        (_S.TRIALING, _A.END_TRIAL_NOW): Transition(_S.ACTIVE, _UPDATED),
        (_S.TRIALING, _A.PAYMENT_SUCCEEDED): Transition(_S.TRIALING, _UNCHANGED),
        (_S.TRIALING, _A.PAUSE): Transition(_S.PAUSED, _PAUSED),
        (_S.TRIALING, _A.CANCEL): Transition(_S.CANCELED, _DELETED),
        # Setting a future trial_end on an active subscription starts a trial (and moves
        # the billing cycle anchor to trial_end).
        (_S.ACTIVE, _A.START_TRIAL): Transition(_S.TRIALING, _UPDATED),
        (_S.ACTIVE, _A.PAYMENT_FAILED): Transition(_S.PAST_DUE, _UPDATED),
        (_S.ACTIVE, _A.OVERDUE): Transition(_S.PAST_DUE, _UPDATED),
        (_S.ACTIVE, _A.PAYMENT_SUCCEEDED): Transition(_S.ACTIVE, _UNCHANGED),
        # The pause endpoint (API 2026-09-30.endive) pauses a subscription in good
        # standing; a failed renewal payment can pause one too, as a dunning outcome.
        (_S.ACTIVE, _A.PAUSE): Transition(_S.PAUSED, _PAUSED),
        (_S.ACTIVE, _A.CANCEL): Transition(_S.CANCELED, _DELETED),
        (_S.PAST_DUE, _A.PAYMENT_SUCCEEDED): Transition(_S.ACTIVE, _UPDATED),
        (_S.PAST_DUE, _A.PAYMENT_FAILED): Transition(_S.PAST_DUE, _UNCHANGED),
        (_S.PAST_DUE, _A.OVERDUE): Transition(_S.PAST_DUE, _UNCHANGED),
        (_S.PAST_DUE, _A.RETRIES_EXHAUSTED_UNPAID): Transition(_S.UNPAID, _UPDATED),
        # Dunning that ends in "pause" (final_payment_failure) instead of unpaid.
        (_S.PAST_DUE, _A.PAUSE): Transition(_S.PAUSED, _PAUSED),
        (_S.PAST_DUE, _A.CANCEL): Transition(_S.CANCELED, _DELETED),
        (_S.UNPAID, _A.PAYMENT_SUCCEEDED): Transition(_S.ACTIVE, _UPDATED),
        # Invoices of an unpaid subscription are not attempted; a manual attempt that
        # fails leaves it where it is.
        (_S.UNPAID, _A.PAYMENT_FAILED): Transition(_S.UNPAID, _UNCHANGED),
        (_S.UNPAID, _A.CANCEL): Transition(_S.CANCELED, _DELETED),
        (_S.PAUSED, _A.RESUME): Transition(_S.ACTIVE, _RESUMED),
        # The invoice that led to a pause stays collectable; paying it resumes the
        # subscription only when resumption is asked for (RESUME), so the status stays.
        (_S.PAUSED, _A.PAYMENT_SUCCEEDED): Transition(_S.PAUSED, _UNCHANGED),
        (_S.PAUSED, _A.CANCEL): Transition(_S.CANCELED, _DELETED),
    }
)

_TERMINAL = frozenset({_S.CANCELED, _S.INCOMPLETE_EXPIRED})

_VERBS = {
    _A.FIRST_PAYMENT_SUCCEEDED: "activate",
    _A.FIRST_PAYMENT_SUCCEEDED_IN_TRIAL: "activate",
    _A.FIRST_PAYMENT_EXPIRED: "expire",
    _A.TRIAL_ENDED_PAID: "end the trial of",
    _A.TRIAL_ENDED_UNPAID: "end the trial of",
    _A.TRIAL_ENDED_PAUSE: "end the trial of",
    _A.END_TRIAL_NOW: "end the trial of",
    _A.START_TRIAL: "start a trial on",
    _A.PAYMENT_FAILED: "record a failed payment on",
    _A.PAYMENT_SUCCEEDED: "record a payment on",
    _A.OVERDUE: "mark as past due",
    _A.RETRIES_EXHAUSTED_UNPAID: "mark as unpaid",
    _A.PAUSE: "pause",
    _A.RESUME: "resume",
    _A.CANCEL: "cancel",
}

# What each status leaves updatable. Stripe documents both: an incomplete subscription
# "can only have metadata and default_source updated", and a canceled one answers "A canceled
# subscription can only update its cancellation_details and metadata." An expired one is as
# final as a canceled one and gets the same answer. `expand` shapes the response and is no
# change, so it is always accepted.
_UPDATABLE: Mapping[SubscriptionStatus, tuple[frozenset[str], str]] = MappingProxyType(
    {
        _S.INCOMPLETE: (
            frozenset({"metadata", "default_source"}),
            "An incomplete subscription can only update its metadata and default_source.",
        ),
        _S.CANCELED: (
            frozenset({"cancellation_details", "metadata"}),
            "A canceled subscription can only update its cancellation_details and metadata.",
        ),
        _S.INCOMPLETE_EXPIRED: (
            frozenset({"cancellation_details", "metadata"}),
            "A canceled subscription can only update its cancellation_details and metadata.",
        ),
    }
)
_NEVER_REFUSED = frozenset({"expand"})


def initial_status(
    *, trialing: bool, collection_method: str, payment_required: bool, paid: bool
) -> SubscriptionStatus:
    """The status a new subscription starts in.

    `payment_required` says the first invoice has an amount to collect now; `paid` that it
    was collected in the create request. A `charge_automatically` subscription whose first
    invoice needs a payment that did not succeed starts `incomplete`, trial or not (a trial
    that starts with one-time items charges them at once). Otherwise it starts `trialing`
    when a trial runs and `active` when not; `send_invoice` subscriptions never wait for
    their first payment.
    """
    if collection_method == "charge_automatically" and payment_required and not paid:
        return SubscriptionStatus.INCOMPLETE
    return SubscriptionStatus.TRIALING if trialing else SubscriptionStatus.ACTIVE


def start(
    *, trialing: bool, collection_method: str, payment_required: bool, paid: bool
) -> Transition:
    """A new subscription's first status (see `initial_status`) with its creation event."""
    status = initial_status(
        trialing=trialing,
        collection_method=collection_method,
        payment_required=payment_required,
        paid=paid,
    )
    return Transition(status, CREATED)


def is_terminal(status: SubscriptionStatus) -> bool:
    """True when no action moves a subscription out of `status` (canceled, incomplete_expired)."""
    return status in _TERMINAL


def transition(status: SubscriptionStatus, action: SubscriptionAction) -> Transition:
    """The status `action` leads to from `status`, with the event types it emits.

    Raises `SeikyuError` (`invalid_request_error`, code `status_transition_invalid`, no
    param) when the move is not allowed; the message names the action, the statuses it needs
    and the subscription's current status.
    """
    move = TRANSITIONS.get((status, action))
    if move is None:
        raise _refused(status, action)
    return move


def refused_update_field(status: SubscriptionStatus, fields: Iterable[str]) -> str | None:
    """The first of `fields` (update parameters, in request order) that a subscription in
    `status` cannot change, or None when all of them may be updated."""
    rule = _UPDATABLE.get(status)
    if rule is None:
        return None
    allowed, _ = rule
    return next((f for f in fields if f not in allowed and f not in _NEVER_REFUSED), None)


def check_update(status: SubscriptionStatus, fields: Iterable[str]) -> None:
    """Raises Stripe's error, naming the first refused parameter, when `fields` include one
    that a subscription in `status` cannot change (see `refused_update_field`)."""
    field = refused_update_field(status, fields)
    if field is not None:
        _, message = _UPDATABLE[status]
        raise invalid(message, param=field)


def _refused(status: SubscriptionStatus, action: SubscriptionAction) -> SeikyuError:
    allowed = [s.value for s in SubscriptionStatus if (s, action) in TRANSITIONS]
    needed = allowed[0] if len(allowed) == 1 else f"{', '.join(allowed[:-1])} or {allowed[-1]}"
    return invalid(
        f"You can only {_VERBS[action]} a subscription that is {needed}. "
        f"This subscription is {status.value}.",
        code=STATUS_TRANSITION_INVALID,
    )
