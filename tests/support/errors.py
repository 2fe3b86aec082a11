"""What a failing SDK call raised, and checks on Stripe's error envelope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import stripe


def error_of(call: Callable[[], Any]) -> stripe.StripeError:
    """The SDK error a call raises (the test fails if it succeeds)."""
    with pytest.raises(stripe.StripeError) as info:
        call()
    return info.value


def invalid_request(call: Callable[[], Any]) -> stripe.InvalidRequestError:
    """The InvalidRequestError a call raises (the test fails on anything else)."""
    with pytest.raises(stripe.InvalidRequestError) as info:
        call()
    return info.value


def assert_error(
    error: stripe.StripeError, *, status: int = 400, code: str | None, param: str | None
) -> None:
    body = (error.json_body or {}).get("error", {})
    assert (error.http_status, body.get("code"), body.get("param")) == (status, code, param), body
