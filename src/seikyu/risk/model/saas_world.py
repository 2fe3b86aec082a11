"""The simulated SaaS's population: countries, plans, cards, customers and random draws.

Every draw goes through `World.rng`, one `random.Random`, in the order the simulator makes
them; changing the order here changes every simulated history (and the shipped model's
reproduction), so append new draws rather than reorder.
"""

from __future__ import annotations

import itertools
import math
import random
import string
from collections.abc import Sequence
from dataclasses import dataclass, replace

from seikyu.risk.domain.signals import Attempt, Outcome


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    utc_offset_hours: int
    weight: float
    currency_exponent: int


COUNTRIES = (
    Country("US", -5, 0.40, 2),
    Country("GB", 0, 0.10, 2),
    Country("DE", 1, 0.08, 2),
    Country("FR", 1, 0.06, 2),
    Country("JP", 9, 0.08, 0),
    Country("CA", -5, 0.07, 2),
    Country("AU", 10, 0.05, 2),
    Country("BR", -3, 0.05, 2),
    Country("IN", 5, 0.05, 2),
    Country("NL", 1, 0.06, 2),
)
FRAUD_IP_COUNTRIES = ("US", "NL", "RU", "VN", "NG", "ID", "BR", "UA", "CN", "RO")
# Monthly plan prices in minor units: USD-like for exponent 2, yen for exponent 0.
PLANS = {2: (900, 2_900, 9_900), 0: (1_000, 3_000, 10_000)}
# Issuers' BIN ranges per country, by popularity (Zipf): a few big banks issue most cards,
# and an account often meets a range it has not seen that day. Card testers' ranges come
# from the same pools: a stolen number is a real issuer's.
BINS_PER_COUNTRY = 800
_BIN_CUM_WEIGHTS = tuple(itertools.accumulate(1 / rank for rank in range(1, BINS_PER_COUNTRY + 1)))
# Local hours people pay at, weighted: quiet at night, busy in the evening.
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 9, 9, 9, 9, 9, 10, 10, 9, 7, 4, 2)
_FREE_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com")
_FIRST = ("ana", "ben", "chen", "dara", "eli", "fumi", "gus", "hana", "ivan", "jo", "kai", "lea")
_LAST = ("smith", "sato", "mueller", "martin", "silva", "khan", "brown", "tanaka", "dubois")
LEGIT_DECLINES = (
    ("insufficient_funds", 0.4),
    ("generic_decline", 0.3),
    ("incorrect_cvc", 0.2),
    ("expired_card", 0.1),
)
RENEWAL_DECLINES = (("insufficient_funds", 0.5), ("expired_card", 0.3), ("do_not_honor", 0.2))
TESTING_DECLINES = (
    ("incorrect_number", 0.35),
    ("incorrect_cvc", 0.25),
    ("expired_card", 0.15),
    ("invalid_expiry", 0.05),
    ("generic_decline", 0.15),
    ("stolen_card", 0.05),
)


@dataclass(frozen=True, slots=True)
class Card:
    fingerprint: str
    bin: str
    country: str
    brand: str
    funding: str


@dataclass(slots=True)
class Customer:
    id: str
    created: int
    country: Country
    email: str
    home_ip: str
    billing_country: str | None
    card: Card
    plan: int


class World:
    """The random draws the simulation is made of, all from one generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._ids = 0
        self._bins = {
            country.code: [self._digits(6) for _ in range(BINS_PER_COUNTRY)]
            for country in COUNTRIES
        }
        self._home_ips = {country.code: self._ip_pool(400) for country in COUNTRIES}
        self._proxy_ips = self._ip_pool(300)

    def next_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}_{self._ids:08d}"

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choices(string.digits, k=n))

    def _ip_pool(self, n: int) -> list[str]:
        r = self.rng
        return [f"{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}." for _ in range(n)]

    def ip(self, pool: Sequence[str]) -> str:
        return f"{self.rng.choice(pool)}{self.rng.randint(1, 254)}"

    def home_ip(self, country: str) -> str:
        return self.ip(self._home_ips[country])

    def proxy_ip(self) -> str:
        return self.ip(self._proxy_ips)

    def weighted(self, choices: Sequence[tuple[str, float]]) -> str:
        names = [name for name, _ in choices]
        weights = [weight for _, weight in choices]
        return self.rng.choices(names, weights)[0]

    def country(self) -> Country:
        return self.rng.choices(COUNTRIES, [c.weight for c in COUNTRIES])[0]

    def other_country(self, code: str) -> str:
        return self.rng.choice([c.code for c in COUNTRIES if c.code != code])

    def card(self, country: str, *, stolen: bool = False) -> Card:
        r = self.rng
        issued_in = country if r.random() < 0.96 else self.other_country(country)
        brand = r.choices(("visa", "mastercard", "amex", "jcb"), (55, 35, 7, 3))[0]
        funding = r.choices(("credit", "debit", "prepaid"), (60, 35, 5))[0]
        if stolen and r.random() < 0.2:
            funding = "prepaid"
        return Card(
            f"fp_{r.getrandbits(64):016x}",
            r.choices(self._bins[issued_in], cum_weights=_BIN_CUM_WEIGHTS)[0],
            issued_in,
            brand,
            funding,
        )

    def testing_card(self, bins: Sequence[str], country: str) -> Card:
        r = self.rng
        brand = r.choices(("visa", "mastercard"), (65, 35))[0]
        funding = r.choices(("credit", "debit", "prepaid"), (50, 30, 20))[0]
        return Card(f"fp_{r.getrandbits(64):016x}", r.choice(bins), country, brand, funding)

    def fraud_bins(self, country: str, n: int) -> list[str]:
        """BINs to generate card numbers from: real issuers' ranges, any of them alike, so
        mostly ranges the account rarely sees."""
        return self.rng.sample(self._bins[country], n)

    def legit_email(self) -> str:
        r = self.rng
        local = f"{r.choice(_FIRST)}.{r.choice(_LAST)}{r.randint(1, 999)}"
        if r.random() < 0.6:
            return f"{local}@{r.choice(_FREE_DOMAINS)}"
        return f"{local}@{self.word(5, 10)}.{r.choice(('com', 'io', 'co.jp', 'de'))}"

    def nonsense_email(self) -> str:
        r = self.rng
        domain = r.choice(_FREE_DOMAINS) if r.random() < 0.5 else f"{self.word(4, 9)}.xyz"
        return f"{self.word(6, 12)}{r.randint(0, 99)}@{domain}"

    def word(self, low: int, high: int) -> str:
        return "".join(self.rng.choices(string.ascii_lowercase, k=self.rng.randint(low, high)))

    def on_session_time(self, day_start: int, country: Country) -> int:
        """A moment of that day when someone in `country` is likely to be paying."""
        local_hour = self.rng.choices(range(24), _HOUR_WEIGHTS)[0]
        utc_hour = (local_hour - country.utc_offset_hours) % 24
        return day_start + utc_hour * 3_600 + self.rng.randrange(3_600)

    def one_off_amount(self) -> int:
        """A one-off price in minor units, $1 to $1,000, log-uniform: credits and add-ons
        are mostly small, setup fees and packs sometimes large."""
        drawn = math.exp(self.rng.uniform(math.log(100), math.log(100_000)))
        return max(int(drawn) // 100 * 100, 100)

    def poisson(self, mean: float) -> int:
        """Knuth's method: the rates here are small, and `random` has no Poisson draw."""
        limit, k, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            k += 1
            product *= self.rng.random()
        return k


def make_attempt(
    customer: Customer,
    created: int,
    amount: int,
    *,
    outcome: Outcome,
    decline_code: str | None = None,
    is_setup: bool = False,
    ip_address: str | None = None,
    ip_country: str | None = None,
    card: Card | None = None,
) -> Attempt:
    used = card or customer.card
    return Attempt(
        created=created,
        amount=0 if is_setup else amount,
        currency_exponent=customer.country.currency_exponent,
        card_fingerprint=used.fingerprint,
        card_bin=used.bin,
        card_country=used.country,
        card_brand=used.brand,
        card_funding=used.funding,
        ip_address=ip_address,
        ip_country=ip_country if ip_address is not None else None,
        email=customer.email,
        customer_id=customer.id,
        customer_created=customer.created,
        outcome=outcome,
        decline_code=decline_code if outcome is Outcome.DECLINED else None,
        is_setup=is_setup,
        billing_country=customer.billing_country,
    )


def as_guest(attempt: Attempt, buyer: Customer) -> Attempt:
    """The attempt of a checkout that made no Customer object: an email only when the buyer
    gave a receipt address, a billing country only with it."""
    email = buyer.email or None
    return replace(
        attempt,
        customer_id=None,
        customer_created=None,
        email=email,
        billing_country=buyer.billing_country if email else None,
    )
