"""The feature vector: its shape, units and missing values."""

from __future__ import annotations

import math

from seikyu.risk.domain.features import FEATURE_NAMES, feature_vector
from seikyu.risk.domain.signals import signals_for
from tests.unit.risk_model.factories import NOW, attempt


def _features(**kwargs: object) -> dict[str, float]:
    signals = signals_for(attempt(**kwargs), [])  # type: ignore[arg-type]
    return dict(zip(FEATURE_NAMES, feature_vector(signals), strict=True))


def test_there_is_one_value_per_named_feature_and_names_are_unique() -> None:
    assert len(feature_vector(signals_for(attempt(), []))) == len(FEATURE_NAMES)
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert 30 <= len(FEATURE_NAMES) <= 45


def test_amounts_are_compared_in_major_units_across_currencies() -> None:
    dollars = _features(amount=1_000, currency_exponent=2)["log_amount"]
    yen = _features(amount=10, currency_exponent=0)["log_amount"]

    assert dollars == yen == math.log1p(10)


def test_country_mismatches_are_flags_and_unknown_when_a_side_is_missing() -> None:
    features = _features(card_country="US", ip_country="NG", billing_country=None)

    assert features["card_ip_country_mismatch"] == 1.0
    assert math.isnan(features["card_billing_country_mismatch"])
    assert _features(card_country="us", ip_country="US")["card_ip_country_mismatch"] == 0.0


def test_free_email_domains_are_flagged() -> None:
    assert _features(email="x@gmail.com")["free_email_domain"] == 1.0
    assert _features(email="x@acme.co.jp")["free_email_domain"] == 0.0
    assert _features(email=None)["email_missing"] == 1.0


def test_ratios_without_a_denominator_are_missing_not_zero() -> None:
    features = _features()

    assert math.isnan(features["ip_decline_ratio_daily"])
    assert math.isnan(features["amount_to_customer_mean"])


def test_the_amount_is_compared_with_the_customer_mean() -> None:
    history = [attempt(created=NOW - 86_400 * 30, amount=1_000)]

    signals = signals_for(attempt(amount=5_000), history)
    features = dict(zip(FEATURE_NAMES, feature_vector(signals), strict=True))

    assert features["amount_to_customer_mean"] == 5.0
