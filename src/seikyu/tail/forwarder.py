"""`seikyu listen`: each event POSTed to a local URL, signed as a webhook endpoint's would be,
so the receiving code verifies it with `stripe.Webhook.construct_event` unchanged."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from seikyu.core.clock import Clock, to_unix
from seikyu.events import signature
from seikyu.tail.client import user_agent


@dataclass(frozen=True)
class Forwarded:
    status: int | None  # None: no answer
    error: str | None = None


class Forwarder:
    def __init__(self, url: str, secret: str, clock: Clock, *, timeout: float = 30.0) -> None:
        self.url = url
        self._secret = secret
        self._clock = clock
        self._http = httpx.Client(timeout=timeout)

    def forward(self, event: dict[str, Any]) -> Forwarded:
        """Deliver once; a failure is reported, never raised."""
        payload = json.dumps(event, indent=2).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature.header(
                payload, [self._secret], to_unix(self._clock.now())
            ),
            "User-Agent": user_agent(),
        }
        try:
            response = self._http.post(self.url, content=payload, headers=headers)
        except httpx.HTTPError as error:
            return Forwarded(None, f"{type(error).__name__}: {error}"[:300])
        return Forwarded(response.status_code)

    def close(self) -> None:
        self._http.close()
