"""PaymentIntent and SetupIntent statuses, and the tables that move an intent between them.

Every status change of an intent goes through `transition` (or `payment_intent_transition` /
`setup_intent_transition`, which also take the stored status string), which looks the move up
in `PAYMENT_INTENT_TRANSITIONS` or `SETUP_INTENT_TRANSITIONS` and returns the new status with
the events it emits. A move outside the table is refused with Stripe's `*_unexpected_state`
error, so a service never sets `intent.status` by hand.

The life of an intent, in table moves:

- Creation puts it in `requires_payment_method` and emits `*_CREATED_EVENT` (not a move). A
  payment method given at creation is then `ATTACH_PAYMENT_METHOD`; `confirm=true`, `CONFIRM`.
- `CONFIRM` is a move, applied before asking the processor: it leaves the intent in
  `requires_confirmation`, the one status the processor's answer is applied from:
  `SUCCEEDED` (or `AUTHORIZED_CAPTURE_LATER` when only authorized), `FAILED`,
  `REQUIRES_ACTION`, `PENDING`. Whether a payment method is present is the caller's check,
  as is Stripe's "missing a payment method" refusal.
- After 3D Secure, `AUTHENTICATE` returns the intent to `requires_confirmation` and the
  outcome of the authenticated attempt is applied. An intent left `processing` later gets
  `SUCCEEDED`, `FAILED` or `AUTHORIZED_CAPTURE_LATER` when the processor settles it.
- `UPDATE` stands for changing a field that shapes the payment (amount, currency, customer,
  options); which fields a status allows is the service's check. Metadata and description
  are editable in every status and need no move.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Generic, TypeVar, overload

from seikyu.core.errors import SeikyuError, invalid


class PaymentIntentStatus(StrEnum):
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    REQUIRES_CAPTURE = "requires_capture"
    CANCELED = "canceled"
    SUCCEEDED = "succeeded"


class SetupIntentStatus(StrEnum):
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    CANCELED = "canceled"
    SUCCEEDED = "succeeded"


class PaymentIntentAction(StrEnum):
    ATTACH_PAYMENT_METHOD = "attach_payment_method"
    CONFIRM = "confirm"
    AUTHENTICATE = "authenticate"
    # The processor's answers, applied by the service after asking it.
    AUTHORIZED_CAPTURE_LATER = "authorized_capture_later"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REQUIRES_ACTION = "requires_action"
    PENDING = "pending"
    CAPTURE = "capture"
    CANCEL = "cancel"
    UPDATE = "update"


class SetupIntentAction(StrEnum):
    ATTACH_PAYMENT_METHOD = "attach_payment_method"
    CONFIRM = "confirm"
    AUTHENTICATE = "authenticate"
    # The processor's answers, applied by the service after asking it.
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REQUIRES_ACTION = "requires_action"
    PENDING = "pending"
    CANCEL = "cancel"
    UPDATE = "update"


S = TypeVar("S", PaymentIntentStatus, SetupIntentStatus)


@dataclass(frozen=True, slots=True)
class Transition(Generic[S]):
    """Where an action leaves an intent, and the event types to emit, in order."""

    status: S
    events: tuple[str, ...]


PAYMENT_INTENT_UNEXPECTED_STATE = "payment_intent_unexpected_state"
SETUP_INTENT_UNEXPECTED_STATE = "setup_intent_unexpected_state"
PAYMENT_INTENT_CREATED_EVENT = "payment_intent.created"
SETUP_INTENT_CREATED_EVENT = "setup_intent.created"

_P = PaymentIntentStatus
_PA = PaymentIntentAction
_PI_CANCELED = Transition(_P.CANCELED, ("payment_intent.canceled",))
_PI_SUCCEEDED = Transition(_P.SUCCEEDED, ("payment_intent.succeeded",))
_PI_FAILED = Transition(_P.REQUIRES_PAYMENT_METHOD, ("payment_intent.payment_failed",))
_PI_AUTHORIZED = Transition(_P.REQUIRES_CAPTURE, ("payment_intent.amount_capturable_updated",))
# Ready to confirm, and the status a confirmation is attempted from. Confirming and
# authenticating land here so that if the service crashes before recording the processor's
# answer, the stored intent can be confirmed again, and the processor's idempotency key
# returns the first outcome instead of charging twice.
_PI_TO_CONFIRM = Transition(_P.REQUIRES_CONFIRMATION, ())

PAYMENT_INTENT_TRANSITIONS: Mapping[
    tuple[PaymentIntentStatus, PaymentIntentAction], Transition[PaymentIntentStatus]
] = MappingProxyType(
    {
        (_P.REQUIRES_PAYMENT_METHOD, _PA.ATTACH_PAYMENT_METHOD): _PI_TO_CONFIRM,
        (_P.REQUIRES_PAYMENT_METHOD, _PA.CONFIRM): _PI_TO_CONFIRM,
        (_P.REQUIRES_PAYMENT_METHOD, _PA.UPDATE): Transition(_P.REQUIRES_PAYMENT_METHOD, ()),
        (_P.REQUIRES_PAYMENT_METHOD, _PA.CANCEL): _PI_CANCELED,
        # Replacing the payment method before confirming changes nothing else.
        (_P.REQUIRES_CONFIRMATION, _PA.ATTACH_PAYMENT_METHOD): _PI_TO_CONFIRM,
        (_P.REQUIRES_CONFIRMATION, _PA.CONFIRM): _PI_TO_CONFIRM,
        (_P.REQUIRES_CONFIRMATION, _PA.UPDATE): _PI_TO_CONFIRM,
        (_P.REQUIRES_CONFIRMATION, _PA.CANCEL): _PI_CANCELED,
        (_P.REQUIRES_CONFIRMATION, _PA.AUTHORIZED_CAPTURE_LATER): _PI_AUTHORIZED,
        (_P.REQUIRES_CONFIRMATION, _PA.SUCCEEDED): _PI_SUCCEEDED,
        # A decline is not the end: Stripe asks for another payment method.
        (_P.REQUIRES_CONFIRMATION, _PA.FAILED): _PI_FAILED,
        (_P.REQUIRES_CONFIRMATION, _PA.REQUIRES_ACTION): Transition(
            _P.REQUIRES_ACTION, ("payment_intent.requires_action",)
        ),
        (_P.REQUIRES_CONFIRMATION, _PA.PENDING): Transition(
            _P.PROCESSING, ("payment_intent.processing",)
        ),
        # A new payment method abandons the pending authentication.
        (_P.REQUIRES_ACTION, _PA.ATTACH_PAYMENT_METHOD): _PI_TO_CONFIRM,
        # Stripe lets a requires_action intent be confirmed again: a fresh attempt.
        (_P.REQUIRES_ACTION, _PA.CONFIRM): _PI_TO_CONFIRM,
        (_P.REQUIRES_ACTION, _PA.AUTHENTICATE): _PI_TO_CONFIRM,
        (_P.REQUIRES_ACTION, _PA.UPDATE): Transition(_P.REQUIRES_ACTION, ()),
        (_P.REQUIRES_ACTION, _PA.CANCEL): _PI_CANCELED,
        # Stripe cancels processing intents only for a few bank debits; no processor here can
        # withdraw a payment in flight, so processing waits for its result.
        (_P.PROCESSING, _PA.AUTHORIZED_CAPTURE_LATER): _PI_AUTHORIZED,
        (_P.PROCESSING, _PA.SUCCEEDED): _PI_SUCCEEDED,
        (_P.PROCESSING, _PA.FAILED): _PI_FAILED,
        (_P.REQUIRES_CAPTURE, _PA.CAPTURE): _PI_SUCCEEDED,
        (_P.REQUIRES_CAPTURE, _PA.UPDATE): Transition(_P.REQUIRES_CAPTURE, ()),
        # Canceling releases the uncaptured authorization.
        (_P.REQUIRES_CAPTURE, _PA.CANCEL): _PI_CANCELED,
    }
)

_S = SetupIntentStatus
_SA = SetupIntentAction
_SI_CANCELED = Transition(_S.CANCELED, ("setup_intent.canceled",))
_SI_SUCCEEDED = Transition(_S.SUCCEEDED, ("setup_intent.succeeded",))
_SI_FAILED = Transition(_S.REQUIRES_PAYMENT_METHOD, ("setup_intent.setup_failed",))
# As for payment intents: the one status the processor's answer is applied from.
_SI_TO_CONFIRM = Transition(_S.REQUIRES_CONFIRMATION, ())

SETUP_INTENT_TRANSITIONS: Mapping[
    tuple[SetupIntentStatus, SetupIntentAction], Transition[SetupIntentStatus]
] = MappingProxyType(
    {
        (_S.REQUIRES_PAYMENT_METHOD, _SA.ATTACH_PAYMENT_METHOD): _SI_TO_CONFIRM,
        (_S.REQUIRES_PAYMENT_METHOD, _SA.CONFIRM): _SI_TO_CONFIRM,
        (_S.REQUIRES_PAYMENT_METHOD, _SA.UPDATE): Transition(_S.REQUIRES_PAYMENT_METHOD, ()),
        (_S.REQUIRES_PAYMENT_METHOD, _SA.CANCEL): _SI_CANCELED,
        (_S.REQUIRES_CONFIRMATION, _SA.ATTACH_PAYMENT_METHOD): _SI_TO_CONFIRM,
        (_S.REQUIRES_CONFIRMATION, _SA.CONFIRM): _SI_TO_CONFIRM,
        (_S.REQUIRES_CONFIRMATION, _SA.UPDATE): _SI_TO_CONFIRM,
        (_S.REQUIRES_CONFIRMATION, _SA.CANCEL): _SI_CANCELED,
        (_S.REQUIRES_CONFIRMATION, _SA.SUCCEEDED): _SI_SUCCEEDED,
        (_S.REQUIRES_CONFIRMATION, _SA.FAILED): _SI_FAILED,
        (_S.REQUIRES_CONFIRMATION, _SA.REQUIRES_ACTION): Transition(
            _S.REQUIRES_ACTION, ("setup_intent.requires_action",)
        ),
        # Stripe has no setup_intent.processing event.
        (_S.REQUIRES_CONFIRMATION, _SA.PENDING): Transition(_S.PROCESSING, ()),
        (_S.REQUIRES_ACTION, _SA.ATTACH_PAYMENT_METHOD): _SI_TO_CONFIRM,
        (_S.REQUIRES_ACTION, _SA.CONFIRM): _SI_TO_CONFIRM,
        (_S.REQUIRES_ACTION, _SA.AUTHENTICATE): _SI_TO_CONFIRM,
        (_S.REQUIRES_ACTION, _SA.UPDATE): Transition(_S.REQUIRES_ACTION, ()),
        (_S.REQUIRES_ACTION, _SA.CANCEL): _SI_CANCELED,
        (_S.PROCESSING, _SA.SUCCEEDED): _SI_SUCCEEDED,
        (_S.PROCESSING, _SA.FAILED): _SI_FAILED,
    }
)

_PI_TERMINAL = frozenset(
    s for s in _P if not any(key[0] is s for key in PAYMENT_INTENT_TRANSITIONS)
)
_SI_TERMINAL = frozenset(s for s in _S if not any(key[0] is s for key in SETUP_INTENT_TRANSITIONS))


def is_terminal(status: PaymentIntentStatus | SetupIntentStatus) -> bool:
    """True when no action moves an intent out of `status` (succeeded, canceled)."""
    if isinstance(status, PaymentIntentStatus):
        return status in _PI_TERMINAL
    return status in _SI_TERMINAL


def payment_intent_transition(
    status: PaymentIntentStatus | str, action: PaymentIntentAction, *, field: str | None = None
) -> Transition[PaymentIntentStatus]:
    """The status `action` leads a PaymentIntent to from `status`, with the events it emits.

    `status` may be the stored string. `field` names the parameter an `UPDATE` changes
    (`amount`); a refusal then names it and carries it as `param`. Raises `SeikyuError`
    (`invalid_request_error`, code `payment_intent_unexpected_state`) in Stripe's words when
    the move is not allowed; `ValueError` for a status that is not a PaymentIntent's (a
    SetupIntentStatus included) or a `field` with another action.
    """
    current = _coerce(PaymentIntentStatus, status, action, field)
    move = PAYMENT_INTENT_TRANSITIONS.get((current, action))
    if move is None:
        raise _payment_intent_refusal(current, action, field)
    return move


def setup_intent_transition(
    status: SetupIntentStatus | str, action: SetupIntentAction, *, field: str | None = None
) -> Transition[SetupIntentStatus]:
    """As `payment_intent_transition`, for a SetupIntent (`setup_intent_unexpected_state`)."""
    current = _coerce(SetupIntentStatus, status, action, field)
    move = SETUP_INTENT_TRANSITIONS.get((current, action))
    if move is None:
        raise _setup_intent_refusal(current, action, field)
    return move


@overload
def transition(
    status: PaymentIntentStatus, action: PaymentIntentAction, *, field: str | None = None
) -> Transition[PaymentIntentStatus]: ...


@overload
def transition(
    status: SetupIntentStatus, action: SetupIntentAction, *, field: str | None = None
) -> Transition[SetupIntentStatus]: ...


def transition(
    status: PaymentIntentStatus | SetupIntentStatus,
    action: PaymentIntentAction | SetupIntentAction,
    *,
    field: str | None = None,
) -> Transition[PaymentIntentStatus] | Transition[SetupIntentStatus]:
    """`payment_intent_transition` or `setup_intent_transition`, by the kind of `action`."""
    if isinstance(action, PaymentIntentAction):
        return payment_intent_transition(status, action, field=field)
    return setup_intent_transition(status, action, field=field)


def _coerce(kind: type[S], status: str, action: StrEnum, field: str | None) -> S:
    if field is not None and action.value != "update":
        raise ValueError(f"only an update names a field, not {action.value!r}")
    # The two status enums share their values, so a SetupIntentStatus would pass as a string.
    other = SetupIntentStatus if kind is PaymentIntentStatus else PaymentIntentStatus
    if isinstance(status, other):
        raise ValueError(f"{action!r} is not an action on a {type(status).__name__}")
    try:
        return kind(status)
    except ValueError:
        raise ValueError(f"{status!r} is not a {kind.__name__}") from None


# Stripe's messages list statuses in this order (e.g. the cancel refusal).
_LISTING_ORDER = (
    "requires_payment_method requires_capture requires_confirmation requires_action processing"
).split()

# Refusals read "You cannot <verb> this ..." for the requests a client makes, and "... could
# not be <participle>" for the processor's answers, which Stripe never refuses to a client.
_VERBS = {
    "attach_payment_method": "update",
    "confirm": "confirm",
    "authenticate": "authenticate",
    "cancel": "cancel",
    "update": "update",
}
_PARTICIPLES = {
    "attach_payment_method": "updated",
    "confirm": "confirmed",
    "authenticate": "authenticated",
    "authorized_capture_later": "authorized",
    "succeeded": "marked as succeeded",
    "failed": "marked as failed",
    "requires_action": "marked as requiring action",
    "pending": "marked as processing",
    "capture": "captured",
    "cancel": "canceled",
    "update": "updated",
}
# Stripe words these refusals without a status list.
_PI_ALREADY: Mapping[tuple[PaymentIntentStatus, PaymentIntentAction], str] = {
    (_P.SUCCEEDED, _PA.CONFIRM): (
        "You cannot confirm this PaymentIntent because it has already succeeded after being "
        "previously confirmed."
    ),
    (_P.SUCCEEDED, _PA.CAPTURE): (
        "This PaymentIntent could not be captured because it has already been captured."
    ),
}
_SI_ALREADY_SUCCEEDED = "You cannot {} this SetupIntent because it has already succeeded."
_SI_ALREADY: Mapping[tuple[SetupIntentStatus, SetupIntentAction], str] = {
    (_S.SUCCEEDED, _SA.CONFIRM): _SI_ALREADY_SUCCEEDED.format("confirm"),
    (_S.SUCCEEDED, _SA.ATTACH_PAYMENT_METHOD): _SI_ALREADY_SUCCEEDED.format("update"),
    (_S.SUCCEEDED, _SA.UPDATE): _SI_ALREADY_SUCCEEDED.format("update"),
    (_S.CANCELED, _SA.CANCEL): "You cannot cancel this SetupIntent because it is already canceled.",
}


def _payment_intent_refusal(
    status: PaymentIntentStatus, action: PaymentIntentAction, field: str | None
) -> SeikyuError:
    if action is _PA.ATTACH_PAYMENT_METHOD:
        field = "payment_method"
    allowed = ", ".join(_allowed(PAYMENT_INTENT_TRANSITIONS, action))
    message = _PI_ALREADY.get((status, action))
    if message is None and field is not None:
        message = (
            f"This PaymentIntent's {field} could not be updated because it has a status of "
            f"{status}. You may only update the {field} of a PaymentIntent with one of the "
            f"following statuses: {allowed}."
        )
    if message is None:
        message = _status_list_message("PaymentIntent", status, action, allowed)
    return invalid(message, param=field, code=PAYMENT_INTENT_UNEXPECTED_STATE)


def _setup_intent_refusal(
    status: SetupIntentStatus, action: SetupIntentAction, field: str | None
) -> SeikyuError:
    if action is _SA.ATTACH_PAYMENT_METHOD:
        field = "payment_method"
    message = _SI_ALREADY.get((status, action))
    if message is None:
        # Stripe's recorded SetupIntent refusals quote each status and end the list with "or".
        quoted = [f"`{s}`" for s in _allowed(SETUP_INTENT_TRANSITIONS, action)]
        allowed = (
            " or ".join(quoted)
            if len(quoted) <= 2
            else ", ".join(quoted[:-1]) + f", or {quoted[-1]}"
        )
        message = _status_list_message("SetupIntent", status, action, allowed)
    return invalid(message, param=field, code=SETUP_INTENT_UNEXPECTED_STATE)


def _allowed(
    moves: Iterable[tuple[PaymentIntentStatus | SetupIntentStatus, object]], action: object
) -> list[str]:
    found = {status.value for status, each in moves if each is action}
    return sorted(found, key=_LISTING_ORDER.index)


def _status_list_message(
    noun: str,
    status: PaymentIntentStatus | SetupIntentStatus,
    action: PaymentIntentAction | SetupIntentAction,
    allowed: str,
) -> str:
    verb, participle = _VERBS.get(action.value), _PARTICIPLES[action.value]
    refused = f"You cannot {verb} this {noun}" if verb else f"This {noun} could not be {participle}"
    return (
        f"{refused} because it has a status of {status}. Only a {noun} with one of the "
        f"following statuses may be {participle}: {allowed}."
    )
