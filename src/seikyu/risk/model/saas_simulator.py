"""Labelled payment histories of a simulated SaaS, for training and judging the fraud model.

No real fraud data set can be shipped, so the model learns from a simulation of what a SaaS
account sees: subscribers renewing monthly off-session, upgrades and card changes on
session, new signups paying at once or saving a card for a trial, and the everyday repeats
that look like fraud to a naive model but are not: one-off purchases without a Customer,
a setup fee and the first invoice seconds apart, a second subscription renewing next to
the first, an upgrade charged minutes after a renewal, a declined payment retried with the
same card, open invoices paid one after another, trials converting. Four kinds of fraud:

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

Screening online knows no IP country (Seikyu does not geolocate IPs) and has an IP only
when the integration passes one, so the simulation drops IP countries unless told
otherwise and leaves a share of on-session attempts without an IP: a model must not learn
from what it will never see.

A legitimate attempt's label is known once it has aged past the dispute window
(`LABEL_MATURITY_SECONDS`). Everything is drawn from one `random.Random(seed)`, so a seed
and a configuration give the same history, attempt for attempt.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
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
    as_guest,
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
    # The everyday repeats and one-offs; each is documented in docs/fraud-model.md.
    # Screening places public IPs by country (GeoLite2), so the model sees IP countries,
    # but not every address: the country data has IPv4 only, and IPv6 clients are common.
    ip_geolocation: bool = True
    ip_placed_share: float = 0.7
    ip_passed_share: float = 0.75
    # Checkouts that collect no billing address leave its country unknown.
    billing_country_share: float = 0.5
    guest_purchases_per_day: float = 40.0
    guest_email_share: float = 0.4
    returning_guest_share: float = 0.15
    freemium_share: float = 0.25
    setup_fee_share: float = 0.15
    second_subscription_share: float = 0.08
    upgrade_after_renewal_share: float = 0.3
    monthly_add_on_purchase: float = 0.04
    same_card_retry_share: float = 0.6
    invoice_recovery_share: float = 0.5
    guest_card_testing_share: float = 0.4
    card_testing_without_ip_share: float = 0.1


def _placed(ip_address: str | None, config: SimulationConfig) -> bool:
    """Whether screening can place this address: the same answer for an address every
    time (a client on IPv6 stays on it), drawn from the address, not from the simulation's
    random stream, so turning placement off or on changes nothing else."""
    if ip_address is None:
        return False
    return zlib.crc32(ip_address.encode()) / 2**32 < config.ip_placed_share


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
        self.guest_cards: list[Card] = []
        # Subscribers with a second subscription on the same renewal day, by id.
        self.second_plans: dict[str, int] = {}

    def seen_online(self, attempt: Attempt) -> Attempt:
        if attempt.ip_country is None:
            return attempt
        if self.config.ip_geolocation and _placed(attempt.ip_address, self.config):
            return attempt
        return replace(attempt, ip_country=None)

    def legit(self, attempt: Attempt) -> None:
        if attempt.created >= self.end:
            return
        attempt = self.seen_online(attempt)
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
            self.out.append(LabeledAttempt(self.seen_online(attempt), True, kind, label_at))

    def new_customer(self, created: int, country: Country | None = None) -> Customer:
        w = self.world
        country = country or w.country()
        billing = country.code if self.rng.random() < self.config.billing_country_share else None
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

    def session_ip(self, customer: Customer) -> tuple[str | None, str | None]:
        """Mostly the customer's home IP; sometimes travelling or behind a VPN; none when
        the integration does not pass the customer's IP to screening."""
        if self.rng.random() >= self.config.ip_passed_share:
            return None, None
        if self.rng.random() < 0.93:
            return customer.home_ip, customer.country.code
        elsewhere = self.world.other_country(customer.country.code)
        return self.world.home_ip(elsewhere), elsewhere

    def on_session(
        self,
        customer: Customer,
        created: int,
        amount: int,
        *,
        is_setup: bool = False,
        guest: bool = False,
    ) -> bool:
        """A customer at the checkout: declines are sometimes fixed with a retry, with the
        same card after a refusal for funds, with another after a wrong card."""
        cfg = self.config
        ip, ip_country = self.session_ip(customer)
        t = created
        for _ in range(3):
            declined = self.rng.random() < 0.05
            code = self.world.weighted(LEGIT_DECLINES) if declined else None
            made = make_attempt(
                customer,
                t,
                amount,
                outcome=Outcome.DECLINED if declined else Outcome.AUTHORIZED,
                decline_code=code,
                is_setup=is_setup,
                ip_address=ip,
                ip_country=ip_country,
            )
            self.legit(as_guest(made, customer) if guest else made)
            if not declined:
                return True
            if self.rng.random() > 0.7:
                return False
            same_card = code == "incorrect_cvc" or (
                code in ("insufficient_funds", "generic_decline")
                and self.rng.random() < cfg.same_card_retry_share
            )
            if not same_card:
                customer.card = self.world.card(customer.country.code)
            t += self.rng.randint(20, 600)
        return False

    def subscriber_life(self, customer: Customer, first_charge: int) -> None:
        """Monthly renewals from `first_charge`, with upgrades, add-ons, card changes and
        churn."""
        r, cfg = self.rng, self.config
        charge_at = first_charge
        while charge_at < self.end:
            if r.random() < cfg.monthly_upgrade:
                if r.random() < cfg.upgrade_after_renewal_share:
                    # Upgrading right after the renewal email: the proration lands minutes
                    # after the renewal on the same card.
                    moment = charge_at + r.randint(60, 2 * 3_600)
                else:
                    day_start = charge_at + r.randint(1, 28) * DAY
                    day_start -= day_start % DAY
                    moment = self.world.on_session_time(day_start, customer.country)
                new_plan = max(customer.plan * 3, customer.plan + 1_000)
                prorated = int(new_plan * r.uniform(0.3, 0.9)) - customer.plan // 2
                if self.on_session(customer, moment, max(prorated, 100)):
                    customer.plan = new_plan
            if r.random() < cfg.monthly_add_on_purchase:
                day_start = charge_at + r.randint(1, 28) * DAY
                day_start -= day_start % DAY
                moment = self.world.on_session_time(day_start, customer.country)
                amount = self.world.one_off_amount()
                # Credits come in packs: some buy two or three in a row.
                for _ in range(1 if r.random() < 0.8 else r.randint(2, 3)):
                    if not self.on_session(customer, moment, amount):
                        break
                    moment += r.randint(5, 120)
            if r.random() < cfg.monthly_card_change:
                day_start = charge_at + r.randint(1, 28) * DAY
                day_start -= day_start % DAY
                customer.card = self.world.card(customer.country.code)
                moment = self.world.on_session_time(day_start, customer.country)
                self.on_session(customer, moment, 0, is_setup=True)
            charge_at += 30 * DAY
            if charge_at >= self.end or r.random() < cfg.monthly_churn:
                return
            self.renew(customer, charge_at + r.randint(0, 900))

    def renew(self, customer: Customer, at: int) -> None:
        """An off-session renewal (and the customer's second subscription beside it),
        retried three days after a decline; a declined invoice is often paid on session
        by the customer after the dunning email."""
        open_amounts: list[int] = []
        for amount in (customer.plan, self.second_plans.get(customer.id)):
            if amount is None:
                continue
            if not self.charge_off_session(customer, at, amount):
                open_amounts.append(amount)
            at += self.rng.randint(1, 20)
        if open_amounts and self.rng.random() < self.config.invoice_recovery_share:
            self.pay_open_invoices(customer, at, open_amounts)

    def charge_off_session(self, customer: Customer, at: int, amount: int) -> bool:
        for attempt in range(3):
            t = at + attempt * 3 * DAY
            if self.rng.random() >= 0.04:
                self.legit(make_attempt(customer, t, amount, outcome=Outcome.AUTHORIZED))
                return True
            code = self.world.weighted(RENEWAL_DECLINES)
            self.legit(
                make_attempt(customer, t, amount, outcome=Outcome.DECLINED, decline_code=code)
            )
            if attempt == 0 and self.rng.random() < self.config.invoice_recovery_share:
                # The customer pays from the dunning email before the next automatic retry.
                self.pay_open_invoices(customer, t + self.rng.randint(300, 2 * DAY), [amount])
                return True
        return False

    def pay_open_invoices(self, customer: Customer, at: int, amounts: list[int]) -> None:
        """The customer pays open invoices one after another, seconds apart, with the
        same card when it was refused for funds, or a new one."""
        r = self.rng
        if r.random() < 0.3:
            customer.card = self.world.card(customer.country.code)
        # An older unpaid invoice is sometimes settled in the same sitting.
        if r.random() < 0.3:
            amounts = [*amounts, customer.plan]
        t = at
        for amount in amounts:
            if not self.on_session(customer, t, amount):
                return
            t += r.randint(3, 60)

    def existing_subscribers(self) -> None:
        start = self.config.start
        for _ in range(self.config.initial_subscribers):
            created = start - self.rng.randint(30 * DAY, 730 * DAY)
            customer = self.new_customer(created)
            self.maybe_second_subscription(customer)
            # The first charge inside the simulation falls on the subscription's anchor day.
            anchor = start + self.rng.randrange(30 * DAY)
            self.subscribers.append(customer)
            self.renew(customer, anchor)
            self.subscriber_life(customer, anchor)

    def maybe_second_subscription(self, customer: Customer) -> None:
        if self.rng.random() < self.config.second_subscription_share:
            self.second_plans[customer.id] = self.rng.choice(
                PLANS[customer.country.currency_exponent]
            )

    def signups(self) -> None:
        cfg, r = self.config, self.rng
        for day in range(cfg.days):
            day_start = cfg.start + day * DAY
            for _ in range(self.world.poisson(cfg.signups_per_day)):
                country = self.world.country()
                first = self.world.on_session_time(day_start, country)
                # A server-side signup makes the customer and confirms its first payment or
                # card setup in the same second or two; a hosted form takes minutes.
                created = first - (r.randint(0, 3) if r.random() < 0.5 else r.randint(10, 600))
                if r.random() < cfg.freemium_share:
                    # On a free plan for a while before paying for the first time.
                    created = first - r.randint(DAY, 120 * DAY)
                customer = self.new_customer(created, country)
                if r.random() < cfg.trial_share:
                    if not self.on_session(customer, first, 0, is_setup=True):
                        continue
                    first += 14 * DAY
                    self.renew(customer, first)
                else:
                    if r.random() < cfg.setup_fee_share:
                        # A one-time setup fee, charged seconds before the first invoice.
                        if not self.on_session(customer, first, self.world.one_off_amount()):
                            continue
                        first += r.randint(1, 30)
                    if not self.on_session(customer, first, customer.plan):
                        continue
                self.maybe_second_subscription(customer)
                self.subscribers.append(customer)
                self.subscriber_life(customer, first)

    def guest_purchases(self) -> None:
        """One-off purchases without a Customer object: add-ons, credits, a setup fee
        taken by a checkout that creates no customer."""
        cfg, r, w = self.config, self.rng, self.world
        for day in range(cfg.days):
            day_start = cfg.start + day * DAY
            for _ in range(w.poisson(cfg.guest_purchases_per_day)):
                country = w.country()
                buyer = self.new_customer(day_start, country)
                if r.random() >= cfg.guest_email_share:
                    buyer.email = ""
                if self.guest_cards and r.random() < cfg.returning_guest_share:
                    buyer.card = r.choice(self.guest_cards)
                else:
                    self.guest_cards.append(buyer.card)
                at = w.on_session_time(day_start, country)
                amount = w.one_off_amount()
                if country.currency_exponent == 0:
                    amount = max(amount // 100 * 100, 100)
                for _ in range(1 if r.random() < 0.85 else r.randint(2, 3)):
                    if not self.on_session(buyer, at, amount, guest=True):
                        break
                    at += r.randint(5, 300)

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
        r, w, cfg = self.rng, self.world, self.config
        if slow:
            tries = r.randint(10, 40)
            duration = r.randint(12 * 3_600, 30 * 3_600)
            ips: list[str | None] = [w.proxy_ip() for _ in range(r.randint(3, 8))]
        else:
            tries = int(math.exp(r.uniform(math.log(20), math.log(400))))
            duration = r.randint(300, 4 * 3_600)
            ips = [w.proxy_ip() for _ in range(r.randint(1, 4))]
        ip_countries: dict[str | None, str | None] = {
            ip: r.choice(FRAUD_IP_COUNTRIES) for ip in ips
        }
        card_country = r.choice([c.code for c in COUNTRIES])
        bins = w.fraud_bins(card_country, r.randint(1, 5))
        exponent = 0 if r.random() < 0.1 else 2
        setups = r.random() < 0.5
        amount = r.choice((100, 200, 500, PLANS[exponent][0]))
        decline_rate = r.uniform(0.7, 0.95)
        # Some attackers keep one account and one email for every card they try; others
        # pay as guests, with no customer and no email at all.
        shared: Customer | None = None
        style = r.random()
        if style < 0.3:
            shared = self.throwaway_customer(begin - r.randint(5, 120), exponent)
        guests = style >= 1 - cfg.guest_card_testing_share
        if r.random() < cfg.card_testing_without_ip_share:
            ips = [None]
            ip_countries = {None: None}
        label_at = begin + duration + r.randint(3_600, 12 * 3_600)
        times = sorted(begin + r.randrange(duration) for _ in range(tries))
        card: Card | None = None
        for t in times:
            customer = shared or self.throwaway_customer(t - r.randint(1, 30), exponent)
            if card is None or r.random() > 0.15:
                card = w.testing_card(bins, card_country)
            ip = r.choice(ips)
            declined = r.random() < decline_rate
            made = make_attempt(
                customer,
                t,
                amount,
                outcome=Outcome.DECLINED if declined else Outcome.AUTHORIZED,
                decline_code=w.weighted(TESTING_DECLINES) if declined else None,
                is_setup=setups and not guests,
                ip_address=ip,
                ip_country=ip_countries[ip],
                card=card,
            )
            if guests:
                made = replace(
                    made, customer_id=None, customer_created=None, email=None, billing_country=None
                )
            self.fraud(made, FraudKind.CARD_TESTING, label_at)

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
                ip: str | None = w.proxy_ip() if abroad else w.home_ip(victim.country.code)
                if r.random() >= cfg.ip_passed_share:
                    ip = None
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
                ip: str | None = w.proxy_ip() if abroad else w.home_ip(customer.country.code)
                if r.random() >= cfg.ip_passed_share:
                    ip = None
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
        self.guest_purchases()
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
