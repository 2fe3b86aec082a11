"""Webhook signatures as Stripe makes them, so `stripe.Webhook.construct_event` accepts ours.

The signed string is `<t>.<raw body>`, HMAC-SHA256 keyed with the whole `whsec_` secret. While
a secret is being rolled, one `v1` entry per valid secret lets a receiver holding either
verify the delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """Hex HMAC-SHA256 of `<timestamp>.<payload>`."""
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header(payload: bytes, secrets_: list[str], timestamp: int) -> str:
    """The `Stripe-Signature` value: `t=<timestamp>,v1=<hex>[,v1=<hex>…]`."""
    parts = [f"t={timestamp}"]
    parts.extend(f"v1={sign(payload, secret, timestamp)}" for secret in secrets_)
    return ",".join(parts)
