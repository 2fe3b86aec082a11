"""3D Secure: where a customer goes to authenticate, and what the intent shows meanwhile.

An intent that needs authentication shows `next_action.redirect_to_url`: a page Seikyu
serves itself (`/authenticate/<intent id>?client_secret=...`), standing in for the issuer's
challenge, where the customer completes or fails it. The client secret in the link is what
lets the customer in: the page takes no API key. After it, the customer is sent on to the
`return_url` the integration gave, with the query Stripe adds to it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

PAGE_PREFIX = "/authenticate"
PAYMENT_FAILURE = "payment_intent_authentication_failure"
SETUP_FAILURE = "setup_intent_authentication_failure"
PAYMENT_FAILURE_MESSAGE = (
    "The provided PaymentMethod has failed authentication. You can provide "
    "payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again."
)
SETUP_FAILURE_MESSAGE = (
    "The latest attempt to set up the payment method has failed authentication. Provide a new "
    "payment method to attempt to set up again."
)


def page_url(base_url: str, intent_id: str, client_secret: str) -> str:
    return f"{base_url}{PAGE_PREFIX}/{intent_id}?{urlencode({'client_secret': client_secret})}"


def redirect_action(
    base_url: str, intent_id: str, client_secret: str, return_url: str | None
) -> dict[str, Any]:
    """The intent's `next_action` while it waits for the customer to authenticate."""
    return {
        "type": "redirect_to_url",
        "redirect_to_url": {
            "return_url": return_url,
            "url": page_url(base_url, intent_id, client_secret),
        },
    }


def return_url_of(next_action: dict[str, Any] | None) -> str | None:
    if not next_action or next_action.get("type") != "redirect_to_url":
        return None
    value = next_action["redirect_to_url"].get("return_url")
    return value if isinstance(value, str) else None


def back_to_merchant(
    return_url: str, intent_id: str, client_secret: str, *, succeeded: bool
) -> str:
    """The `return_url` with Stripe's query: which intent, its secret, and how it went."""
    kind = "setup_intent" if intent_id.startswith("seti_") else "payment_intent"
    parts = urlsplit(return_url)
    extra = urlencode(
        {
            kind: intent_id,
            f"{kind}_client_secret": client_secret,
            "redirect_status": "succeeded" if succeeded else "failed",
        }
    )
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
