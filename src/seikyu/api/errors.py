"""Where domain errors become HTTP: status codes and Stripe's error envelope."""

from __future__ import annotations

from seikyu.core.errors import ErrorType, Kind, SeikyuError

_STATUS = {
    Kind.INVALID: 400,
    Kind.NOT_FOUND: 404,
    Kind.AUTHENTICATION: 401,
    Kind.PERMISSION: 403,
    Kind.CONFLICT: 409,
    Kind.REQUEST_FAILED: 402,
    Kind.RATE_LIMITED: 429,
    Kind.INTERNAL: 500,
}


def status_for(error: SeikyuError) -> int:
    return _STATUS[error.kind]


def envelope(error: SeikyuError, request_id: str | None = None) -> dict[str, object]:
    body = error.body()
    if request_id is not None and error.kind is Kind.INTERNAL:
        body["request_log_url"] = f"/v1/request_logs/{request_id}"
    return {"error": body}


def internal_error() -> SeikyuError:
    return SeikyuError(
        "An unexpected error occurred; nothing was saved. Retry the request with the same "
        "Idempotency-Key, or look it up in the request log.",
        type=ErrorType.API,
        kind=Kind.INTERNAL,
    )


def not_found_route(method: str, path: str) -> SeikyuError:
    return SeikyuError(
        f"Unrecognized request URL ({method}: {path}).",
        kind=Kind.NOT_FOUND,
    )
