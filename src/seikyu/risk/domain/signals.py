"""What is known about one card payment or card setup when it is screened.

`PaymentSignals` is the input of the fraud model: the payment's own attributes, what the
account knows about its customer and card, and velocity counts over past attempts. The
online path fills it with SQL counts; the functions here are the reference semantics, in
memory, used by the simulator and by tests that pin the online path down.

Semantics, exactly:

- An *attempt* is one card payment or card setup that reached screening, whatever came of
  it: `authorized` (the issuer approved), `declined` (the issuer refused) or `blocked`
  (screening refused it before the issuer saw it).
- "History" is the attempts recorded before the one being scored. The attempt being scored
  never counts, even when it is in the history given (it is recognised by identity).
  Attempts created after "now" (the scored attempt's `created`) are ignored.
- A window of span `w` is the half-open interval `(now - w, now]` in unix seconds: an
  attempt exactly `w` seconds old has left it, one made in the same second as the scored
  attempt is in it. Spans follow Radar: hourly 3,900 s, daily 90,000 s, weekly 7 days.
- Velocities are counted per key: the card's fingerprint, the IP address, the email
  (compared case-insensitively), the customer id and the card's BIN. A key the scored
  attempt lacks (no IP, no email, no customer) counts zero everywhere.
- `total` counts every attempt; `authorized + declined + blocked == total`.
- Distinct cards are distinct fingerprints among the counted attempts of the window.
- `card_testing_declines_per_ip_daily` counts declines in the IP's daily window whose code
  says the card details were wrong: `incorrect_number`, `incorrect_cvc`, `expired_card`,
  `invalid_expiry` (`invalid_number`, `invalid_cvc`, `invalid_expiry_month` and
  `invalid_expiry_year` count as their synonyms).
- Customer facts are all-time: `customer_prior_payments` counts the customer's authorized
  payments (setups excluded); `customer_mean_amount` is their mean amount in minor units,
  rounded half up, or None without any. `is_new_card_on_customer` is true when the
  attempt has a customer who has no authorized attempt with this card yet (a card that only
  ever failed has not become the customer's card); false without a customer.
- `seconds_since_card_first_seen` is the age of the card's first attempt in the account,
  of any outcome; None for a card never seen before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

HOURLY_SECONDS = 3_900
DAILY_SECONDS = 90_000
WEEKLY_SECONDS = 7 * 86_400
WINDOW_SPANS = (HOURLY_SECONDS, DAILY_SECONDS, WEEKLY_SECONDS)

CARD_TESTING_DECLINE_CODES = frozenset(
    {
        "incorrect_number",
        "incorrect_cvc",
        "expired_card",
        "invalid_expiry",
        "invalid_number",
        "invalid_cvc",
        "invalid_expiry_month",
        "invalid_expiry_year",
    }
)


class Outcome(StrEnum):
    AUTHORIZED = "authorized"
    DECLINED = "declined"
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """One past or current card payment or setup, as screening saw it.

    `amount` is in the currency's minor unit (0 for a setup); `created` and
    `customer_created` are unix seconds.
    """

    created: int
    amount: int
    currency_exponent: int
    card_fingerprint: str
    card_bin: str
    card_country: str | None
    card_brand: str
    card_funding: str
    ip_address: str | None
    ip_country: str | None
    email: str | None
    customer_id: str | None
    customer_created: int | None
    outcome: Outcome
    decline_code: str | None = None
    is_setup: bool = False
    billing_country: str | None = None


@dataclass(frozen=True, slots=True)
class WindowCounts:
    """Attempts of one key in one window, by outcome."""

    total: int = 0
    authorized: int = 0
    declined: int = 0
    blocked: int = 0


@dataclass(frozen=True, slots=True)
class KeyVelocity:
    """One key's counts over the hourly, daily and weekly windows."""

    hourly: WindowCounts = WindowCounts()
    daily: WindowCounts = WindowCounts()
    weekly: WindowCounts = WindowCounts()


@dataclass(frozen=True, slots=True, kw_only=True)
class Velocities:
    """Velocity counts around one attempt, the attempt itself excluded."""

    card: KeyVelocity = KeyVelocity()
    ip: KeyVelocity = KeyVelocity()
    email: KeyVelocity = KeyVelocity()
    customer: KeyVelocity = KeyVelocity()
    bin: KeyVelocity = KeyVelocity()
    distinct_cards_per_ip_hourly: int = 0
    distinct_cards_per_ip_daily: int = 0
    distinct_cards_per_email_hourly: int = 0
    distinct_cards_per_email_daily: int = 0
    distinct_cards_per_customer_hourly: int = 0
    distinct_cards_per_customer_daily: int = 0
    card_testing_declines_per_ip_daily: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentSignals:
    """Everything the model sees about one attempt at screening time.

    Money stays in integer minor units: `amount` and `customer_mean_amount` are in the
    payment currency's minor unit, `currency_exponent` says how many digits that unit has.
    """

    amount: int
    currency_exponent: int
    is_setup: bool
    card_brand: str
    card_funding: str
    card_country: str | None
    ip_country: str | None
    billing_country: str | None
    email_domain: str | None
    hour_of_day: int
    seconds_since_customer_created: int | None
    seconds_since_card_first_seen: int | None
    is_new_card_on_customer: bool
    customer_prior_payments: int
    customer_mean_amount: int | None
    velocities: Velocities


def email_domain(email: str | None) -> str | None:
    """The lower-cased part after the last `@`, or None without a usable one."""
    if email is None or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower()
    return domain or None


@dataclass(frozen=True, slots=True)
class KeyHistory:
    """What the history holds for one key of an attempt: its velocity, and for an IP,
    email or customer the distinct cards; for an IP its card-testing declines."""

    velocity: KeyVelocity
    distinct_cards_hourly: int = 0
    distinct_cards_daily: int = 0
    card_testing_declines_daily: int = 0


def compose(
    payment: Attempt,
    keys: Mapping[str, KeyHistory],
    *,
    first_seen: int | None,
    paid: tuple[int, int],
    card_used_by_customer: bool,
) -> PaymentSignals:
    """The signals of `payment` from what its history holds: `keys` by key name (`card`,
    `ip`, `email`, `customer`, `bin`; a key without history may be left out), the card's
    first attempt, the customer's authorized payments as (count, total), and whether the
    customer ever had this card authorized. The one place both the in-memory tracker and the
    database reads turn counts into signals."""
    now = payment.created

    def velocity(key: str) -> KeyVelocity:
        found = keys.get(key)
        return found.velocity if found is not None else _NO_VELOCITY

    def distinct(key: str) -> tuple[int, int]:
        found = keys.get(key)
        return (found.distinct_cards_hourly, found.distinct_cards_daily) if found else (0, 0)

    ip_hourly, ip_daily = distinct("ip")
    email_hourly, email_daily = distinct("email")
    customer_hourly, customer_daily = distinct("customer")
    ip = keys.get("ip")
    count, total = paid if payment.customer_id is not None else (0, 0)
    return PaymentSignals(
        amount=payment.amount,
        currency_exponent=payment.currency_exponent,
        is_setup=payment.is_setup,
        card_brand=payment.card_brand,
        card_funding=payment.card_funding,
        card_country=payment.card_country,
        ip_country=payment.ip_country,
        billing_country=payment.billing_country,
        email_domain=email_domain(payment.email),
        hour_of_day=(now % 86_400) // 3_600,
        seconds_since_customer_created=(
            now - payment.customer_created if payment.customer_created is not None else None
        ),
        seconds_since_card_first_seen=now - first_seen if first_seen is not None else None,
        is_new_card_on_customer=payment.customer_id is not None and not card_used_by_customer,
        customer_prior_payments=count,
        # The mean rounded half up, in integers: money never passes through a float.
        customer_mean_amount=(2 * total + count) // (2 * count) if count else None,
        velocities=Velocities(
            card=velocity("card"),
            ip=velocity("ip"),
            email=velocity("email"),
            customer=velocity("customer"),
            bin=velocity("bin"),
            distinct_cards_per_ip_hourly=ip_hourly,
            distinct_cards_per_ip_daily=ip_daily,
            distinct_cards_per_email_hourly=email_hourly,
            distinct_cards_per_email_daily=email_daily,
            distinct_cards_per_customer_hourly=customer_hourly,
            distinct_cards_per_customer_daily=customer_daily,
            card_testing_declines_per_ip_daily=(
                ip.card_testing_declines_daily if ip is not None else 0
            ),
        ),
    )


def signals_for(
    payment: Attempt, history: Iterable[Attempt], *, ordered: bool = False
) -> PaymentSignals:
    """The signals of `payment` given the attempts recorded before it.

    `history` may come in any order unless `ordered` says it is already sorted by
    `created`; the semantics are those of the module docstring.
    """
    now = payment.created
    past = [a for a in history if a is not payment and a.created <= now]
    if not ordered:
        past.sort(key=lambda a: a.created)
    tracker = SignalTracker()
    for attempt in past:
        tracker.record(attempt)
    return tracker.signals(payment)


_KEYS = ("card", "ip", "email", "customer", "bin")
_OUTCOME_INDEX = {Outcome.AUTHORIZED: 0, Outcome.DECLINED: 1, Outcome.BLOCKED: 2}
_HOURLY, _DAILY, _WEEKLY = range(3)


class _KeyWindows:
    """One key's attempts of the last week, with running counts for each window.

    The windows are nested, so one list of events and three start positions serve all
    three: an event leaves the hourly window first, the weekly one last. Counts are kept
    per window and outcome, `counts[window * 3 + outcome]`.
    """

    __slots__ = ("cards", "counts", "events", "starts", "testing_declines")

    def __init__(self, *, distinct_cards: bool) -> None:
        self.events: list[tuple[int, int, str, bool]] = []
        self.starts = [0, 0, 0]
        self.counts = [0] * 9
        self.testing_declines = 0
        self.cards: tuple[dict[str, int], dict[str, int]] | None = (
            ({}, {}) if distinct_cards else None
        )

    def advance(self, now: int) -> None:
        events, starts, counts = self.events, self.starts, self.counts
        end = len(events)
        for window, span in enumerate(WINDOW_SPANS):
            oldest_kept = now - span
            i = starts[window]
            while i < end and events[i][0] <= oldest_kept:
                _, outcome, card, testing = events[i]
                counts[window * 3 + outcome] -= 1
                if window == _DAILY and testing:
                    self.testing_declines -= 1
                if window != _WEEKLY and self.cards is not None:
                    seen = self.cards[window]
                    left = seen[card] - 1
                    if left:
                        seen[card] = left
                    else:
                        del seen[card]
                i += 1
            starts[window] = i
        # Drop what has left every window once it is most of the list, keeping the
        # trimming cost constant per event.
        gone = starts[_WEEKLY]
        if gone > 64 and gone * 2 > end:
            del events[:gone]
            starts[0] -= gone
            starts[1] -= gone
            starts[2] = 0

    def add(self, created: int, outcome: int, card: str, testing: bool) -> None:
        self.events.append((created, outcome, card, testing))
        counts = self.counts
        counts[outcome] += 1
        counts[3 + outcome] += 1
        counts[6 + outcome] += 1
        if testing:
            self.testing_declines += 1
        if self.cards is not None:
            for seen in self.cards:
                seen[card] = seen.get(card, 0) + 1

    def velocity(self) -> KeyVelocity:
        return _key_velocity(*self.counts)

    def distinct_cards(self) -> tuple[int, int]:
        if self.cards is None:
            return (0, 0)
        return (len(self.cards[_HOURLY]), len(self.cards[_DAILY]))


@lru_cache(maxsize=16_384)
def _key_velocity(
    ha: int, hd: int, hb: int, da: int, dd: int, db: int, wa: int, wd: int, wb: int
) -> KeyVelocity:
    # Counts are small and repeat endlessly: sharing the frozen values spares the simulator
    # hundreds of thousands of constructions.
    return KeyVelocity(
        WindowCounts(ha + hd + hb, ha, hd, hb),
        WindowCounts(da + dd + db, da, dd, db),
        WindowCounts(wa + wd + wb, wa, wd, wb),
    )


_NO_VELOCITY = KeyVelocity()


class SignalTracker:
    """Signals for a stream of attempts in time order, in constant time per attempt.

    Call `signals(attempt)` then `record(attempt)` for each attempt, oldest first: the
    result equals `signals_for(attempt, attempts_recorded_so_far)`. Holds state, does no
    I/O; the simulator uses it to label hundreds of thousands of attempts quickly.
    """

    def __init__(self) -> None:
        self._windows: dict[str, dict[str, _KeyWindows]] = {key: {} for key in _KEYS}
        self._card_first_seen: dict[str, int] = {}
        self._customer_payments: dict[str, tuple[int, int]] = {}
        self._customer_cards: set[tuple[str, str]] = set()
        self._latest = -(2**62)

    def record(self, attempt: Attempt) -> None:
        """Add `attempt` to the history; attempts must come in nondecreasing `created`."""
        if attempt.created < self._latest:
            raise ValueError("attempts must be recorded in time order")
        self._latest = attempt.created
        outcome = _OUTCOME_INDEX[attempt.outcome]
        testing = (
            attempt.outcome is Outcome.DECLINED
            and attempt.decline_code in CARD_TESTING_DECLINE_CODES
        )
        card = attempt.card_fingerprint
        for key, value in self._key_values(attempt):
            table = self._windows[key]
            windows = table.get(value)
            if windows is None:
                windows = _KeyWindows(distinct_cards=key in ("ip", "email", "customer"))
                table[value] = windows
            windows.advance(attempt.created)
            windows.add(attempt.created, outcome, card, testing)
        self._card_first_seen.setdefault(card, attempt.created)
        customer = attempt.customer_id
        if customer is not None and attempt.outcome is Outcome.AUTHORIZED:
            self._customer_cards.add((customer, card))
            if not attempt.is_setup:
                count, total = self._customer_payments.get(customer, (0, 0))
                self._customer_payments[customer] = (count + 1, total + attempt.amount)

    def signals(self, payment: Attempt) -> PaymentSignals:
        """The signals of `payment` against everything recorded so far."""
        now = payment.created
        if now < self._latest:
            raise ValueError("an attempt older than the history cannot be scored against it")
        found: dict[str, _KeyWindows | None] = dict.fromkeys(_KEYS)
        for key, value in self._key_values(payment):
            windows = self._windows[key].get(value)
            if windows is not None:
                windows.advance(now)
                found[key] = windows

        keys = {
            key: KeyHistory(
                windows.velocity(),
                *windows.distinct_cards(),
                windows.testing_declines,
            )
            for key, windows in found.items()
            if windows is not None
        }
        customer = payment.customer_id
        paid = self._customer_payments.get(customer, (0, 0)) if customer is not None else (0, 0)
        return compose(
            payment,
            keys,
            first_seen=self._card_first_seen.get(payment.card_fingerprint),
            paid=paid,
            card_used_by_customer=(customer, payment.card_fingerprint) in self._customer_cards,
        )

    @staticmethod
    def _key_values(attempt: Attempt) -> list[tuple[str, str]]:
        values = [("card", attempt.card_fingerprint), ("bin", attempt.card_bin)]
        if attempt.ip_address is not None:
            values.append(("ip", attempt.ip_address))
        if attempt.email is not None:
            values.append(("email", attempt.email.lower()))
        if attempt.customer_id is not None:
            values.append(("customer", attempt.customer_id))
        return values


def signals_for_stream(attempts: Sequence[Attempt]) -> list[PaymentSignals]:
    """Signals of each attempt against those before it in `attempts` (sorted by `created`)."""
    tracker = SignalTracker()
    result = []
    for attempt in attempts:
        result.append(tracker.signals(attempt))
        tracker.record(attempt)
    return result
