"""The fraud model's feature vector, computed from `PaymentSignals`.

Money becomes a float only here, and only as model input: amounts are turned into major
units so that ¥1,000 and $10.00 land near each other. A value that is unknown is NaN, which
the gradient-boosted trees route down a branch learnt for "missing" instead of mistaking it
for zero. The order of `FEATURE_NAMES` is part of every trained model: append new features
at the end and retrain; never reorder.
"""

from __future__ import annotations

import math

from seikyu.risk.domain.signals import KeyVelocity, PaymentSignals, WindowCounts

MISSING = math.nan

FREE_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.jp",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "mail.com",
        "gmx.com",
        "gmx.de",
        "proton.me",
        "protonmail.com",
        "yandex.ru",
        "mail.ru",
        "qq.com",
        "163.com",
    }
)

FEATURE_NAMES: tuple[str, ...] = (
    "log_amount",
    "is_setup",
    "amount_to_customer_mean",
    "customer_prior_payments",
    "log_seconds_since_customer_created",
    "log_seconds_since_card_first_seen",
    "is_new_card_on_customer",
    "has_customer",
    "email_missing",
    "free_email_domain",
    "card_ip_country_mismatch",
    "card_billing_country_mismatch",
    "ip_billing_country_mismatch",
    "ip_country_missing",
    "funding_prepaid",
    "funding_debit",
    "hour_of_day",
    "night",
    "card_total_hourly",
    "card_total_daily",
    "card_total_weekly",
    "card_declined_daily",
    "ip_total_hourly",
    "ip_total_daily",
    "ip_total_weekly",
    "ip_declined_hourly",
    "ip_declined_daily",
    "ip_blocked_daily",
    "ip_decline_ratio_daily",
    "ip_distinct_cards_hourly",
    "ip_distinct_cards_daily",
    "ip_card_testing_declines_daily",
    "ip_card_testing_share_daily",
    "email_total_daily",
    "email_declined_daily",
    "email_distinct_cards_daily",
    "customer_total_hourly",
    "customer_total_weekly",
    "customer_declined_daily",
    "customer_distinct_cards_daily",
    "bin_total_hourly",
    "bin_declined_hourly",
    "bin_decline_ratio_daily",
)


def _flag(value: bool) -> float:
    return 1.0 if value else 0.0


def _mismatch(left: str | None, right: str | None) -> float:
    if left is None or right is None:
        return MISSING
    return _flag(left.upper() != right.upper())


def _log_seconds(seconds: int | None) -> float:
    return MISSING if seconds is None else math.log1p(max(seconds, 0))


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else MISSING


def _declined_ratio(counts: WindowCounts) -> float:
    return _ratio(counts.declined + counts.blocked, counts.total)


def _totals(velocity: KeyVelocity) -> tuple[float, float, float]:
    return (
        float(velocity.hourly.total),
        float(velocity.daily.total),
        float(velocity.weekly.total),
    )


def feature_vector(signals: PaymentSignals) -> tuple[float, ...]:
    """The model's input for one attempt, in the order of `FEATURE_NAMES`."""
    major = signals.amount / 10**signals.currency_exponent
    mean = signals.customer_mean_amount
    v = signals.velocities
    card_hourly, card_daily, card_weekly = _totals(v.card)
    ip_hourly, ip_daily, ip_weekly = _totals(v.ip)
    testing = v.card_testing_declines_per_ip_daily
    hour = signals.hour_of_day
    return (
        math.log1p(max(major, 0.0)),
        _flag(signals.is_setup),
        signals.amount / mean if mean else MISSING,
        float(signals.customer_prior_payments),
        _log_seconds(signals.seconds_since_customer_created),
        _log_seconds(signals.seconds_since_card_first_seen),
        _flag(signals.is_new_card_on_customer),
        _flag(signals.seconds_since_customer_created is not None),
        _flag(signals.email_domain is None),
        MISSING
        if signals.email_domain is None
        else _flag(signals.email_domain in FREE_EMAIL_DOMAINS),
        _mismatch(signals.card_country, signals.ip_country),
        _mismatch(signals.card_country, signals.billing_country),
        _mismatch(signals.ip_country, signals.billing_country),
        _flag(signals.ip_country is None),
        _flag(signals.card_funding == "prepaid"),
        _flag(signals.card_funding == "debit"),
        float(hour),
        _flag(hour < 6),
        card_hourly,
        card_daily,
        card_weekly,
        float(v.card.daily.declined),
        ip_hourly,
        ip_daily,
        ip_weekly,
        float(v.ip.hourly.declined),
        float(v.ip.daily.declined),
        float(v.ip.daily.blocked),
        _declined_ratio(v.ip.daily),
        float(v.distinct_cards_per_ip_hourly),
        float(v.distinct_cards_per_ip_daily),
        float(testing),
        _ratio(testing, v.ip.daily.declined),
        float(v.email.daily.total),
        float(v.email.daily.declined),
        float(v.distinct_cards_per_email_daily),
        float(v.customer.hourly.total),
        float(v.customer.weekly.total),
        float(v.customer.daily.declined),
        float(v.distinct_cards_per_customer_daily),
        float(v.bin.hourly.total),
        float(v.bin.hourly.declined),
        _declined_ratio(v.bin.daily),
    )
