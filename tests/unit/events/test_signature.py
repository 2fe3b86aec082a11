"""G-12.1: Stripe-Signature headers computed as Stripe documents, verified by the SDK."""

from __future__ import annotations

import pytest
import stripe

from seikyu.events.signature import header, new_secret, sign

BODY = b'{"id":"evt_test_webhook","object":"event"}'
EXPECTED = "d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"


def test_golden_signature() -> None:
    assert sign(BODY, "whsec_test_secret", 1700000000) == EXPECTED
    assert header(BODY, ["whsec_test_secret"], 1700000000) == f"t=1700000000,v1={EXPECTED}"


def test_the_sdk_accepts_each_secret_while_a_secret_is_rolled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old, new = new_secret(), new_secret()
    assert old.startswith("whsec_")
    assert old != new
    monkeypatch.setattr("time.time", lambda: 1700000300)
    signed = header(BODY, [new, old], 1700000000)
    for secret in (old, new):
        event = stripe.Webhook.construct_event(BODY.decode(), signed, secret)
        assert event.id == "evt_test_webhook"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(BODY.decode(), signed, new_secret())


def test_the_sdk_rejects_a_signature_past_its_tolerance(monkeypatch: pytest.MonkeyPatch) -> None:
    signed = header(BODY, ["whsec_test_secret"], 1700000000)
    monkeypatch.setattr("time.time", lambda: 1700000301)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(BODY.decode(), signed, "whsec_test_secret")
