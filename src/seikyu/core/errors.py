"""The one error type the domain raises; `api/` maps it to an HTTP status and envelope."""

from __future__ import annotations

from enum import StrEnum


class ErrorType(StrEnum):
    INVALID_REQUEST = "invalid_request_error"
    CARD = "card_error"
    IDEMPOTENCY = "idempotency_error"
    API = "api_error"


class Kind(StrEnum):
    """What went wrong, independent of transport: the edge picks the status code."""

    INVALID = "invalid"  # the request itself is wrong
    NOT_FOUND = "not_found"
    AUTHENTICATION = "authentication"
    PERMISSION = "permission"
    CONFLICT = "conflict"
    REQUEST_FAILED = "request_failed"  # valid, but the operation failed (declines)
    RATE_LIMITED = "rate_limited"
    INTERNAL = "internal"


# Codes Stripe documents (and so has a page for); Seikyu's own finer codes have none.
STRIPE_CODES = frozenset(
    """
    api_key_expired idempotency_key_in_use invoice_prefix_in_use parameter_invalid_empty
    parameter_invalid_integer parameter_invalid_string_blank parameter_invalid_string_empty
    parameter_missing parameter_unknown parameters_exclusive resource_missing
    resource_already_exists tax_id_invalid email_invalid card_declined expired_card
    incorrect_cvc incorrect_number processing_error status_transition_invalid invoice_not_editable
    invalid_expiry_month invalid_expiry_year invalid_cvc authentication_required
    payment_method_unexpected_state payment_intent_unexpected_state
    setup_intent_unexpected_state amount_too_small amount_too_large
    payment_intent_authentication_failure setup_intent_authentication_failure charge_disputed
    """.split()
)


class SeikyuError(Exception):
    """A failure with Stripe's error fields: type, code, message, param."""

    def __init__(
        self,
        message: str,
        *,
        type: ErrorType = ErrorType.INVALID_REQUEST,
        kind: Kind = Kind.INVALID,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        extra: dict[str, object] | None = None,
        keep_changes: bool = False,
        subject: object = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.type = type
        self.kind = kind
        self.code = code
        self.param = param
        self.decline_code = decline_code
        self.extra = extra or {}
        # The request's writes stand even though it answers with this error (a card
        # declined while confirming a payment is recorded, then reported).
        self.keep_changes = keep_changes
        # The object the error is about, for the API to show with it (Stripe puts the
        # payment intent of a declined confirmation in the error).
        self.subject = subject

    def body(self) -> dict[str, object]:
        """Stripe's `error` object, without the envelope."""
        out: dict[str, object] = {"type": self.type.value, "message": self.message}
        if self.code is not None:
            out["code"] = self.code
            if self.code in STRIPE_CODES:
                slug = self.code.replace("_", "-")
                out["doc_url"] = f"https://stripe.com/docs/error-codes/{slug}"
        if self.param is not None:
            out["param"] = self.param
        if self.decline_code is not None:
            out["decline_code"] = self.decline_code
        out.update(self.extra)
        return out


def invalid(message: str, *, param: str | None = None, code: str | None = None) -> SeikyuError:
    return SeikyuError(message, param=param, code=code)


def missing(param: str) -> SeikyuError:
    return SeikyuError(f"Missing required param: {param}.", param=param, code="parameter_missing")


def unknown(param: str) -> SeikyuError:
    return SeikyuError(
        f"Received unknown parameter: {param}", param=param, code="parameter_unknown"
    )


def no_such(object_name: str, object_id: str, *, param: str | None = "id") -> SeikyuError:
    """Stripe's wording for a reference to an object that does not exist in this account.

    As Stripe: the object named by the URL (`param="id"`) is a 404; one named by a request
    parameter (`items[0][price]`) makes the request itself invalid, a 400.
    """
    return SeikyuError(
        f"No such {object_name}: '{object_id}'",
        kind=Kind.NOT_FOUND if param in ("id", None) else Kind.INVALID,
        code="resource_missing",
        param=param,
    )
