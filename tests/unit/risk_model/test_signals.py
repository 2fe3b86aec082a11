"""The reference semantics of `PaymentSignals`: windows, exclusion, customer facts."""

from __future__ import annotations

import random

import pytest

from seikyu.risk.domain.signals import (
    DAILY_SECONDS,
    HOURLY_SECONDS,
    WEEKLY_SECONDS,
    Outcome,
    SignalTracker,
    signals_for,
    signals_for_stream,
)
from tests.unit.risk_model.factories import NOW, attempt


def test_an_attempt_exactly_one_window_old_has_left_the_window() -> None:
    history = [attempt(created=NOW - HOURLY_SECONDS), attempt(created=NOW - HOURLY_SECONDS + 1)]

    card = signals_for(attempt(), history).velocities.card

    assert card.hourly.total == 1
    assert card.daily.total == 2


@pytest.mark.parametrize("span", [HOURLY_SECONDS, DAILY_SECONDS, WEEKLY_SECONDS])
def test_each_window_is_half_open(span: int) -> None:
    history = [attempt(created=NOW - span), attempt(created=NOW - span + 1)]

    card = signals_for(attempt(), history).velocities.card
    counts = {HOURLY_SECONDS: card.hourly, DAILY_SECONDS: card.daily, WEEKLY_SECONDS: card.weekly}

    assert counts[span].total == 1


def test_the_scored_attempt_never_counts_even_when_in_the_history() -> None:
    payment = attempt()
    twin = attempt()

    signals = signals_for(payment, [payment, twin])

    assert signals.velocities.card.hourly.total == 1


def test_attempts_of_the_same_second_count_and_later_ones_do_not() -> None:
    history = [attempt(created=NOW), attempt(created=NOW + 1)]

    assert signals_for(attempt(), history).velocities.card.hourly.total == 1


def test_counts_split_by_outcome_and_add_up_to_the_total() -> None:
    history = [
        attempt(created=NOW - 10, outcome=Outcome.AUTHORIZED),
        attempt(created=NOW - 9, outcome=Outcome.DECLINED, decline_code="incorrect_cvc"),
        attempt(created=NOW - 8, outcome=Outcome.DECLINED, decline_code="insufficient_funds"),
        attempt(created=NOW - 7, outcome=Outcome.BLOCKED),
    ]

    v = signals_for(attempt(), history).velocities

    assert (v.ip.daily.authorized, v.ip.daily.declined, v.ip.daily.blocked) == (1, 2, 1)
    assert v.ip.daily.total == 4
    assert v.card_testing_declines_per_ip_daily == 1


def test_distinct_cards_are_counted_per_ip_email_and_customer() -> None:
    history = [attempt(created=NOW - i, card=f"fp_{i % 3}") for i in range(1, 7)]

    v = signals_for(attempt(card="fp_new"), history).velocities

    assert v.distinct_cards_per_ip_hourly == 3
    assert v.distinct_cards_per_email_daily == 3
    assert v.distinct_cards_per_customer_daily == 3


def test_a_missing_key_counts_zero_and_email_is_case_insensitive() -> None:
    history = [attempt(created=NOW - 5, ip=None, email="Ana@Example.com")]

    v = signals_for(attempt(), history).velocities

    assert v.ip.hourly.total == 0
    assert v.email.hourly.total == 1
    assert signals_for(attempt(ip=None), [attempt(created=NOW - 5)]).velocities.ip.daily.total == 0


def test_customer_facts_are_all_time_and_count_authorized_payments_only() -> None:
    history = [
        attempt(created=NOW - 90 * 86_400, amount=1_000),
        attempt(created=NOW - 60 * 86_400, amount=2_001),
        attempt(created=NOW - 30 * 86_400, amount=0, is_setup=True),
        attempt(created=NOW - 10, amount=9_999, outcome=Outcome.DECLINED),
    ]

    signals = signals_for(attempt(), history)

    assert signals.customer_prior_payments == 2
    assert signals.customer_mean_amount == 1_501  # 1,500.5 rounded half up
    assert signals.seconds_since_card_first_seen == 90 * 86_400
    assert signals.seconds_since_customer_created == 86_400


def test_a_card_is_new_on_a_customer_until_it_is_authorized_for_them() -> None:
    declined_only = [attempt(created=NOW - 5, outcome=Outcome.DECLINED)]
    authorized = [attempt(created=NOW - 5)]

    assert signals_for(attempt(), declined_only).is_new_card_on_customer
    assert not signals_for(attempt(), authorized).is_new_card_on_customer
    assert not signals_for(attempt(customer=None), []).is_new_card_on_customer


def test_the_email_domain_and_hour_come_from_the_attempt() -> None:
    signals = signals_for(attempt(created=NOW + 5 * 3_600 + 59, email="x@Mail.EXAMPLE.org"), [])

    assert signals.email_domain == "mail.example.org"
    assert signals.hour_of_day == 5
    assert signals.seconds_since_card_first_seen is None
    assert signals.customer_mean_amount is None


def test_the_streaming_tracker_matches_the_reference_on_a_random_history() -> None:
    rng = random.Random(5)
    attempts = []
    t = NOW
    for _ in range(300):
        t += rng.choice((0, 1, 30, 600, 3_600, 40_000))
        attempts.append(
            attempt(
                created=t,
                card=f"fp_{rng.randrange(8)}",
                card_bin=f"4{rng.randrange(3)}",
                ip=rng.choice((None, "10.0.0.1", "10.0.0.2")),
                email=rng.choice((None, "a@x.com", "A@X.com", "b@y.com")),
                customer=rng.choice((None, "cus_1", "cus_2")),
                outcome=rng.choice(list(Outcome)),
                decline_code=rng.choice((None, "incorrect_number", "expired_card")),
                amount=rng.randrange(100, 5_000),
            )
        )

    streamed = signals_for_stream(attempts)

    for i in range(0, 300, 7):
        assert streamed[i] == signals_for(attempts[i], attempts[:i])


def test_the_tracker_refuses_history_out_of_order() -> None:
    tracker = SignalTracker()
    tracker.record(attempt(created=NOW))

    with pytest.raises(ValueError, match="time order"):
        tracker.record(attempt(created=NOW - 1))
