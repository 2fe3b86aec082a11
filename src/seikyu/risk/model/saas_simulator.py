"""Labelled payment histories of a simulated SaaS, for training and judging the fraud model.

No real fraud data set can be shipped, so the model learns from a simulation of what a SaaS
account sees: subscribers renewing monthly off-session, upgrades and card changes on
session, new signups paying at once or saving a card for a trial, and four kinds of fraud:

- card testing: bursts on the signup page from a few IPs, one throw-away customer and
  nonsense email per try, many cards from a few BINs, identical small amounts or card
  setups, most declined for a wrong number, CVC or expiry. A slower variant spreads a few
  dozen tries over a day through rotating proxies. Labelled when the burst is noticed,
  hours after it ends.
- account takeover: a stolen card added to an existing subscriber from a foreign IP,
  then used for larger upgrades. Labelled by the dispute, one to eight weeks later.
- stolen-card signups: a new customer buying a large plan with a stolen card, often with
  mismatched countries and a prepaid card. Labelled by the dispute.
- friendly fraud: a legitimate-looking payment disputed as fraudulent later; the model
  cannot tell it apart and is not expected to.

A legitimate attempt's label is known once it has aged past the dispute window
(`LABEL_MATURITY_SECONDS`). Everything is drawn from one `random.Random(seed)`, so a seed
and a configuration give the same history, attempt for attempt.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from seikyu.risk.domain.signals import Attempt, Outcome
from seikyu.risk.model.saas_world import (
    COUNTRIES,
    FRAUD_IP_COUNTRIES,
    LEGIT_DECLINES,
    PLANS,
    RENEWAL_DECLINES,
    TESTING_DECLINES,
    Card,
    Country,
    Customer,
    World,
    make_attempt,
)

DAY = 86_400
LABEL_MATURITY_SECONDS = 56 * DAY
# 2026-01-01T00:00:00Z: the simulation's clock never reads the system's.
DEFAULT_START = 1_767_225_600


class FraudKind(StrEnum):
    NONE = "none"
    CARD_TESTING = "card_testing"
    ACCOUNT_TAKEOVER = "account_takeover"
    STOLEN_CARD_SIGNUP = "stolen_card_signup"
    FRIENDLY_FRAUD = "friendly_fraud"


@dataclass(frozen=True, slots=True)
class LabeledAttempt:
    """An attempt with the truth about it and the moment the account learns that truth."""

    attempt: Attempt
    fraud: bool
    kind: FraudKind
    label_available_at: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulationConfig:
    """The knobs of one simulated account. Rates are per day unless named otherwise."""

    seed: int = 7
    days: int = 180
    start: int = DEFAULT_START
    initial_subscribers: int = 20_000
    signups_per_day: float = 150.0
    trial_share: float = 0.3
    monthly_churn: float = 0.025
    monthly_upgrade: float = 0.03
    monthly_card_change: float = 0.015
    card_testing_bursts_per_day: float = 0.25
    slow_card_testing_share: float = 0.2
    account_takeovers_per_day: float = 0.4
    stolen_card_signups_per_day: float = 0.6
    friendly_fraud_rate: float = 0.0008


@dataclass(frozen=True, slots=True)
class Simulation:
    config: SimulationConfig
    attempts: tuple[LabeledAttempt, ...]

    @property
    def end(self) -> int:
        return self.config.start + self.config.days * DAY


class _Simulator:
    def __init__(self, config: SimulationConfig) -> None:
        self.config = config
        self.world = World(config.seed)
        self.rng = self.world.rng
        self.end = config.start + config.days * DAY
        self.out: list[LabeledAttempt] = []
        self.subscribers: list[Customer] = []

    def legit(self, attempt: Attempt) -> None:
        if attempt.created >= self.end:
            return
        disputed = (
            attempt.outcome is Outcome.AUTHORIZED
            and not attempt.is_setup
            and self.rng.random() < self.config.friendly_fraud_rate
        )
        if disputed:
            label_at = attempt.created + self.rng.randint(7 * DAY, 56 * DAY)
            self.out.append(LabeledAttempt(attempt, True, FraudKind.FRIENDLY_FRAUD, label_at))
        else:
            label_at = attempt.created + LABEL_MATURITY_SECONDS
            self.out.append(LabeledAttempt(attempt, False, FraudKind.NONE, label_at))

    def fraud(self, attempt: Attempt, kind: FraudKind, label_at: int) -> None:
        if attempt.created < self.end:
            self.out.append(LabeledAttempt(attempt, True, kind, label_at))

    def new_customer(self, created: int, country: Country | None = None) -> Customer:
        w = self.world
        country = country or w.country()
        billing = country.code if self.rng.random() < 0.9 else None
        return Customer(
            id=w.next_id("cus"),
            created=created,
            country=country,
            email=w.legit_email(),
            home_ip=w.home_ip(country.code),
            billing_country=billing,
            card=w.card(country.code),
            plan=self.rng.choice(PLANS[country.currency_exponent]),
        )

    def session_ip(self, customer: Customer) -> tuple[str, str]:
        """Mostly the customer's home IP; sometimes travelling or behind a VPN."""
        if self.rng.random() < 0.93:
            return customer.home_ip, customer.country.code
        elsewhere = self.world.other_country(customer.country.code)
        return self.world.home_ip(elsewhere), elsewhere

    def on_session(
        self, customer: Customer, created: int, amount: int, *, is_setup: bool = False
    ) -> bool:
        """A customer at the checkout: declines are sometimes fixed with a retry."""
        ip, ip_country = self.session_ip(customer)
        t = created
        for _ in range(3):
            if self.rng.random() >= 0.05:
                self.legit(
                    make_attempt(
                        customer,
                        t,
                        amount,
                        outcome=Outcome.AUTHORIZED,
                        is_setup=is_setup,
                        ip_address=ip,
                        ip_country=ip_country,
                    )
                )
                return True
            code = self.world.weighted(LEGIT_DECLINES)
            self.legit(
                make_attempt(
                    customer,
                    t,
                    amount,
                    outcome=Outcome.DECLINED,
                    decline_code=code,
                    is_setup=is_setup,
                    ip_address=ip,
                    ip_country=ip_country,
                )
            )
            if self.rng.random() > 0.7:
                return False
            if code != "incorrect_cvc":
                customer.card = self.world.card(customer.country.code)
            t += self.rng.randint(20, 600)
        return False

    def subscriber_life(self, customer: Customer, first_charge: int) -> None:
        """Monthly renewals from `first_charge`, with upgrades, card changes and churn."""
        r = self.rng
        charge_at = first_charge
        while charge_at < self.end:
            if r.random() < self.config.monthly_upgrade:
                day_start = charge_at + r.randint(1, 28) * DAY
                day_start -= day_start % DAY
                new_plan = max(customer.plan * 3, customer.plan + 1_000)
                prorated = int(new_plan * r.uniform(0.3, 0.9)) - customer.plan // 2
                moment = self.world.on_session_time(day_start, customer.country)
                if self.on_session(customer, moment, max(prorated, 100)):
                    customer.plan = new_plan
            if r.random() < self.config.monthly_card_change:
                day_start = charge_at + r.randint(1, 28) * DAY
                day_start -= day_start % DAY
                customer.card = self.world.card(customer.country.code)
                moment = self.world.on_session_time(day_start, customer.country)
                self.on_session(customer, moment, 0, is_setup=True)
            charge_at += 30 * DAY
            if charge_at >= self.end or r.random() < self.config.monthly_churn:
                return
            self.renew(customer, charge_at + r.randint(0, 900))

    def renew(self, customer: Customer, at: int) -> None:
        """An off-session renewal, retried three days after a decline."""
        for attempt in range(3):
            t = at + attempt * 3 * DAY
            if self.rng.random() >= 0.04:
                self.legit(make_attempt(customer, t, customer.plan, outcome=Outcome.AUTHORIZED))
                return
            code = self.world.weighted(RENEWAL_DECLINES)
            self.legit(
                make_attempt(
                    customer, t, customer.plan, outcome=Outcome.DECLINED, decline_code=code
                )
            )

    def existing_subscribers(self) -> None:
        start = self.config.start
        for _ in range(self.config.initial_subscribers):
            created = start - self.rng.randint(30 * DAY, 730 * DAY)
            customer = self.new_customer(created)
            # The first charge inside the simulation falls on the subscription's anchor day.
            anchor = start + self.rng.randrange(30 * DAY)
            self.subscribers.append(customer)
            self.renew(customer, anchor)
            self.subscriber_life(customer, anchor)

    def signups(self) -> None:
        cfg = self.config
        for day in range(cfg.days):
            day_start = cfg.start + day * DAY
            for _ in range(self.world.poisson(cfg.signups_per_day)):
                country = self.world.country()
                created = self.world.on_session_time(day_start, country)
                customer = self.new_customer(created, country)
                first = created + self.rng.randint(10, 600)
                if self.rng.random() < cfg.trial_share:
                    if not self.on_session(customer, first, 0, is_setup=True):
                        continue
                    first += 14 * DAY
                    self.renew(customer, first)
                elif not self.on_session(customer, first, customer.plan):
                    continue
                self.subscribers.append(customer)
                self.subscriber_life(customer, first)

    def card_testing(self) -> None:
        cfg = self.config
        for day in range(cfg.days):
            for _ in range(self.world.poisson(cfg.card_testing_bursts_per_day)):
                begin = cfg.start + day * DAY + self.rng.randrange(DAY)
                if self.rng.random() < cfg.slow_card_testing_share:
                    self.burst(begin, slow=True)
                else:
                    self.burst(begin, slow=False)

    def burst(self, begin: int, *, slow: bool) -> None:
        r, w = self.rng, self.world
        if slow:
            tries = r.randint(10, 40)
            duration = r.randint(12 * 3_600, 30 * 3_600)
            ips = [w.proxy_ip() for _ in range(r.randint(3, 8))]
        else:
            tries = int(math.exp(r.uniform(math.log(20), math.log(400))))
            duration = r.randint(300, 4 * 3_600)
            ips = [w.proxy_ip() for _ in range(r.randint(1, 4))]
        ip_countries = {ip: r.choice(FRAUD_IP_COUNTRIES) for ip in ips}
        bins = w.fraud_bins(r.randint(1, 5))
        card_country = r.choice([c.code for c in COUNTRIES])
        exponent = 0 if r.random() < 0.1 else 2
        setups = r.random() < 0.5
        amount = r.choice((100, 200, 500, PLANS[exponent][0]))
        decline_rate = r.uniform(0.7, 0.95)
        # Some attackers keep one account and one email for every card they try.
        shared: Customer | None = None
        if r.random() < 0.3:
            shared = self.throwaway_customer(begin - r.randint(5, 120), exponent)
        label_at = begin + duration + r.randint(3_600, 12 * 3_600)
        times = sorted(begin + r.randrange(duration) for _ in range(tries))
        card: Card | None = None
        for t in times:
            customer = shared or self.throwaway_customer(t - r.randint(1, 30), exponent)
            if card is None or r.random() > 0.15:
                card = w.testing_card(bins, card_country)
            ip = r.choice(ips)
            declined = r.random() < decline_rate
            self.fraud(
                make_attempt(
                    customer,
                    t,
                    amount,
                    outcome=Outcome.DECLINED if declined else Outcome.AUTHORIZED,
                    decline_code=w.weighted(TESTING_DECLINES) if declined else None,
                    is_setup=setups,
                    ip_address=ip,
                    ip_country=ip_countries[ip],
                    card=card,
                ),
                FraudKind.CARD_TESTING,
                label_at,
            )

    def throwaway_customer(self, created: int, exponent: int) -> Customer:
        w = self.world
        country = next(c for c in COUNTRIES if c.currency_exponent == exponent)
        return Customer(
            id=w.next_id("cus"),
            created=created,
            country=country,
            email=w.nonsense_email(),
            home_ip="",
            billing_country=None if self.rng.random() < 0.7 else w.other_country("US"),
            card=w.card(country.code),
            plan=PLANS[exponent][0],
        )

    def account_takeovers(self) -> None:
        cfg, r, w = self.config, self.rng, self.world
        for day in range(cfg.days):
            day_start = cfg.start + day * DAY
            for _ in range(w.poisson(cfg.account_takeovers_per_day)):
                picked = r.sample(self.subscribers, min(20, len(self.subscribers)))
                victims = [c for c in picked if c.created < day_start]
                if not victims:
                    continue
                victim = victims[0]
                t = day_start + r.randrange(DAY)
                abroad = r.random() < 0.7
                ip_country = r.choice(FRAUD_IP_COUNTRIES) if abroad else victim.country.code
                ip = w.proxy_ip() if abroad else w.home_ip(victim.country.code)
                card_country = (
                    w.other_country(victim.country.code)
                    if r.random() < 0.6
                    else (victim.country.code)
                )
                label_at = t + r.randint(7 * DAY, 56 * DAY)
                for _ in range(r.randint(1, 3)):
                    card = w.card(card_country, stolen=True)
                    self.fraud(
                        make_attempt(
                            victim,
                            t,
                            0,
                            outcome=Outcome.AUTHORIZED,
                            is_setup=True,
                            ip_address=ip,
                            ip_country=ip_country,
                            card=card,
                        ),
                        FraudKind.ACCOUNT_TAKEOVER,
                        label_at,
                    )
                    for _ in range(r.randint(1, 2)):
                        t += r.randint(60, 3_600)
                        declined = r.random() < 0.2
                        amount = victim.plan * r.randint(2, 12)
                        self.fraud(
                            make_attempt(
                                victim,
                                t,
                                amount,
                                outcome=Outcome.DECLINED if declined else Outcome.AUTHORIZED,
                                decline_code="generic_decline" if declined else None,
                                ip_address=ip,
                                ip_country=ip_country,
                                card=card,
                            ),
                            FraudKind.ACCOUNT_TAKEOVER,
                            label_at,
                        )
                    t += r.randint(60, 1_800)

    def stolen_card_signups(self) -> None:
        cfg, r, w = self.config, self.rng, self.world
        for day in range(cfg.days):
            day_start = cfg.start + day * DAY
            for _ in range(w.poisson(cfg.stolen_card_signups_per_day)):
                t = day_start + r.randrange(DAY)
                customer = self.new_customer(t)
                if r.random() < 0.5:
                    customer.email = w.nonsense_email()
                abroad = r.random() < 0.6
                ip_country = r.choice(FRAUD_IP_COUNTRIES) if abroad else customer.country.code
                ip = w.proxy_ip() if abroad else w.home_ip(customer.country.code)
                label_at = t + r.randint(7 * DAY, 56 * DAY)
                annual = customer.plan * 10 * r.randint(1, 3)
                for _ in range(r.randint(1, 3)):
                    t += r.randint(30, 900)
                    card = w.card(w.other_country(customer.country.code), stolen=True)
                    declined = r.random() < 0.3
                    self.fraud(
                        make_attempt(
                            customer,
                            t,
                            annual,
                            outcome=Outcome.DECLINED if declined else Outcome.AUTHORIZED,
                            decline_code="generic_decline" if declined else None,
                            ip_address=ip,
                            ip_country=ip_country,
                            card=card,
                        ),
                        FraudKind.STOLEN_CARD_SIGNUP,
                        label_at,
                    )

    def run(self) -> Simulation:
        self.existing_subscribers()
        self.signups()
        self.card_testing()
        self.account_takeovers()
        self.stolen_card_signups()
        start = self.config.start
        kept = [a for a in self.out if a.attempt.created >= start]
        # Ties keep generation order, so the history is a pure function of the seed.
        kept.sort(key=lambda a: a.attempt.created)
        return Simulation(self.config, tuple(kept))


def simulate(config: SimulationConfig | None = None) -> Simulation:
    """A labelled history of attempts, sorted by `created`, drawn from `config.seed`."""
    return _Simulator(config or SimulationConfig()).run()


def iter_attempts(simulation: Simulation) -> Iterator[Attempt]:
    return (labeled.attempt for labeled in simulation.attempts)
