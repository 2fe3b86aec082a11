"""The SaaS simulator: deterministic, time-ordered, every kind of fraud, late labels."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from seikyu.risk.model.dataset import dataset_from_simulation, load_simulation, save_simulation
from seikyu.risk.model.saas_simulator import (
    DAY,
    LABEL_MATURITY_SECONDS,
    FraudKind,
    SimulationConfig,
    simulate,
)

SMALL = SimulationConfig(
    seed=11,
    days=40,
    initial_subscribers=400,
    signups_per_day=8,
    card_testing_bursts_per_day=0.3,
    account_takeovers_per_day=0.5,
    stolen_card_signups_per_day=0.5,
    friendly_fraud_rate=0.01,
)


def test_the_same_seed_gives_the_same_history_and_another_seed_another() -> None:
    assert simulate(SMALL) == simulate(SMALL)
    other = simulate(replace(SMALL, seed=12))
    assert other != simulate(SMALL)


def test_attempts_are_in_time_order_inside_the_simulated_period() -> None:
    simulation = simulate(SMALL)
    created = [a.attempt.created for a in simulation.attempts]

    assert created == sorted(created)
    assert SMALL.start <= created[0]
    assert created[-1] < SMALL.start + SMALL.days * DAY


def test_every_kind_of_fraud_appears_and_card_testing_is_mostly_declined() -> None:
    attempts = simulate(SMALL).attempts
    kinds = Counter(a.kind for a in attempts)
    testing = [a for a in attempts if a.kind is FraudKind.CARD_TESTING]

    assert set(kinds) == set(FraudKind)
    assert sum(a.attempt.outcome == "declined" for a in testing) > 0.6 * len(testing)
    assert all(a.fraud == (a.kind is not FraudKind.NONE) for a in attempts)


def test_labels_arrive_late() -> None:
    for labeled in simulate(SMALL).attempts:
        delay = labeled.label_available_at - labeled.attempt.created
        if labeled.kind is FraudKind.NONE:
            assert delay == LABEL_MATURITY_SECONDS
        elif labeled.kind is FraudKind.CARD_TESTING:
            assert 0 < delay <= 2 * DAY
        else:
            assert 7 * DAY <= delay <= 56 * DAY + DAY


def test_a_simulation_survives_a_round_trip_through_a_file(tmp_path: Path) -> None:
    simulation = simulate(SMALL)
    path = tmp_path / "sim.jsonl.gz"

    save_simulation(simulation, path)

    assert load_simulation(path) == simulation


def test_the_dataset_has_one_row_per_attempt() -> None:
    simulation = simulate(SMALL)

    data = dataset_from_simulation(simulation)

    assert data.features.shape[0] == len(simulation.attempts) == len(data)
    assert int(data.fraud.sum()) == sum(a.fraud for a in simulation.attempts)


def test_screening_places_most_ips_it_is_given_and_is_not_always_given_one() -> None:
    attempts = [a.attempt for a in simulate(SMALL).attempts]
    on_session_shapes = [a for a in attempts if a.customer_id is None and a.amount > 0]
    with_ip = [a for a in attempts if a.ip_address is not None]

    assert all(a.ip_address is not None for a in attempts if a.ip_country is not None)
    placed = sum(a.ip_country is not None for a in with_ip) / len(with_ip)
    assert 0.55 < placed < 0.85, placed
    assert any(a.ip_address is None for a in on_session_shapes)
    assert any(a.ip_address is not None for a in on_session_shapes)


def test_an_address_is_placed_every_time_or_never() -> None:
    placed: dict[str, set[bool]] = {}
    for labeled in simulate(SMALL).attempts:
        a = labeled.attempt
        if a.ip_address is not None:
            placed.setdefault(a.ip_address, set()).add(a.ip_country is not None)

    assert all(len(seen) == 1 for seen in placed.values())


def test_without_ip_geolocation_no_attempt_has_an_ip_country() -> None:
    attempts = [a.attempt for a in simulate(replace(SMALL, ip_geolocation=False)).attempts]

    assert all(a.ip_country is None for a in attempts)
    assert any(a.ip_address is not None for a in attempts)


def test_legitimate_customers_sometimes_pay_from_abroad() -> None:
    legit = [a.attempt for a in simulate(SMALL).attempts if not a.fraud]
    placed = [a for a in legit if a.ip_country is not None and a.card_country is not None]

    abroad = sum(a.ip_country != a.card_country for a in placed)
    assert 0 < abroad < len(placed) * 0.2


def test_everyday_repeats_and_one_offs_are_legitimate() -> None:
    labeled = simulate(replace(SMALL, friendly_fraud_rate=0.0)).attempts
    legit = [a.attempt for a in labeled if not a.fraud]
    last_by_card: dict[str, int] = {}
    repeats_within_a_minute = 0
    for a in legit:
        previous = last_by_card.get(a.card_fingerprint)
        if previous is not None and a.created - previous <= 60:
            repeats_within_a_minute += 1
        last_by_card[a.card_fingerprint] = a.created
    guests = [a for a in legit if a.customer_id is None]

    assert repeats_within_a_minute >= 20
    assert len(guests) >= 100
    assert any(a.email is None for a in guests)
    assert any(a.email is not None for a in guests)


def test_some_card_testing_comes_without_a_customer() -> None:
    testing = [a.attempt for a in simulate(SMALL).attempts if a.kind is FraudKind.CARD_TESTING]

    assert any(a.customer_id is None and a.email is None for a in testing)
    assert any(a.customer_id is not None for a in testing)
