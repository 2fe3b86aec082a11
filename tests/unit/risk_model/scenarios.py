"""Canonical payment stories the shipped model must judge as a person would.

Each story is a history of attempts and the attempt to score, built the way screening sees
them online: an IP only when the integration passes `radar_options[ip_address]`, with the
country screening places it in, an email only when the customer or the payment carries
one. Run this module to print the scores of the shipped model as the
table in docs/fraud-model.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from seikyu.risk.domain.signals import Attempt, Outcome, PaymentSignals, signals_for
from tests.unit.risk_model.factories import attempt

DAY = 86_400
# 2026-03-02T15:00:00Z: an ordinary afternoon in Europe, morning in the Americas.
NOON = 1_767_225_600 + 60 * DAY + 15 * 3_600
SIGNUP_IP = "198.51.100.23"
TESTER_IP = "203.0.113.7"
# Documentation addresses place nowhere; these are the countries the stories' real
# addresses would be placed in.
SIGNUP_IP_COUNTRY = "US"
TESTER_IP_COUNTRY = "VN"


def _placed(ip: str | None, country: str = SIGNUP_IP_COUNTRY) -> str | None:
    return country if ip is not None else None


@dataclass(frozen=True, slots=True)
class Story:
    name: str
    history: tuple[Attempt, ...]
    scored: Attempt

    def signals(self) -> PaymentSignals:
        return signals_for(self.scored, self.history)


def _guest(*, amount: int, ip: str | None, email: str | None = None, card: str = "fp_g") -> Story:
    one_off = attempt(
        created=NOON,
        amount=amount,
        card=card,
        ip=ip,
        ip_country=_placed(ip),
        email=email,
        customer=None,
        customer_created=None,
        billing_country=None,
    )
    return Story("", (), one_off)


def _renewals(customer: str, created: int, *, months: int, card: str, amount: int) -> list[Attempt]:
    return [
        attempt(
            created=NOON - (months - i) * 30 * DAY - 600,
            amount=amount,
            card=card,
            ip=None,
            ip_country=None,
            customer=customer,
            customer_created=created,
            email=f"{customer}@example.com",
        )
        for i in range(months)
    ]


def _on_session(
    *,
    created: int,
    customer: str,
    customer_created: int,
    amount: int = 2_000,
    card: str = "fp_c",
    outcome: Outcome = Outcome.AUTHORIZED,
    decline_code: str | None = None,
    is_setup: bool = False,
    ip: str | None = SIGNUP_IP,
    ip_country: str = SIGNUP_IP_COUNTRY,
    card_country: str = "US",
) -> Attempt:
    return attempt(
        created=created,
        amount=amount,
        card=card,
        card_country=card_country,
        ip=ip,
        ip_country=_placed(ip, ip_country),
        email=f"{customer}@example.com",
        customer=customer,
        customer_created=customer_created,
        outcome=outcome,
        decline_code=decline_code,
        is_setup=is_setup,
    )


def second_payment_seconds_after_the_first(*, customer_age: int) -> Story:
    created = NOON - customer_age
    first = _on_session(created=NOON - 3, customer="cus_two", customer_created=created)
    second = _on_session(created=NOON, customer="cus_two", customer_created=created)
    return Story("", (first,), second)


def upgrade_right_after_renewal() -> Story:
    created = NOON - 200 * DAY
    history = _renewals("cus_up", created, months=6, card="fp_up", amount=2_900)
    history.append(
        attempt(
            created=NOON - 900,
            amount=2_900,
            card="fp_up",
            ip=None,
            ip_country=None,
            customer="cus_up",
            customer_created=created,
            email="cus_up@example.com",
        )
    )
    proration = _on_session(
        created=NOON, customer="cus_up", customer_created=created, amount=5_400, card="fp_up"
    )
    return Story("", tuple(history), proration)


def retry_after_insufficient_funds() -> Story:
    created = NOON - 90 * DAY
    history = _renewals("cus_retry", created, months=2, card="fp_r", amount=2_900)
    history.append(
        attempt(
            created=NOON - 20 * 60,
            amount=2_900,
            card="fp_r",
            ip=None,
            ip_country=None,
            customer="cus_retry",
            customer_created=created,
            email="cus_retry@example.com",
            outcome=Outcome.DECLINED,
            decline_code="insufficient_funds",
        )
    )
    retry = _on_session(
        created=NOON, customer="cus_retry", customer_created=created, amount=2_900, card="fp_r"
    )
    return Story("", tuple(history), retry)


def checkout_retry_after_insufficient_funds() -> Story:
    created = NOON - 120
    declined = _on_session(
        created=NOON - 90,
        customer="cus_co",
        customer_created=created,
        amount=9_900,
        outcome=Outcome.DECLINED,
        decline_code="insufficient_funds",
    )
    retry = _on_session(created=NOON, customer="cus_co", customer_created=created, amount=9_900)
    return Story("", (declined,), retry)


def third_open_invoice_paid_in_a_row() -> Story:
    created = NOON - 150 * DAY
    history = _renewals("cus_open", created, months=2, card="fp_o", amount=2_900)
    history += [
        _on_session(
            created=NOON - 10 * (2 - i),
            customer="cus_open",
            customer_created=created,
            amount=2_900,
            card="fp_o",
        )
        for i in range(2)
    ]
    third = _on_session(
        created=NOON, customer="cus_open", customer_created=created, amount=2_900, card="fp_o"
    )
    return Story("", tuple(history), third)


def trial_converting() -> Story:
    created = NOON - 14 * DAY - 300
    setup = _on_session(
        created=NOON - 14 * DAY, customer="cus_trial", customer_created=created, is_setup=True
    )
    first_invoice = attempt(
        created=NOON,
        amount=2_900,
        card="fp_c",
        ip=None,
        ip_country=None,
        customer="cus_trial",
        customer_created=created,
        email="cus_trial@example.com",
    )
    return Story("", (setup,), first_invoice)


def trial_signup_setting_up_a_card(*, ip: str | None, email: bool) -> Story:
    """A server-side signup: the customer made, then its card set up, within two seconds."""
    setup = _on_session(
        created=NOON,
        customer="cus_fresh",
        customer_created=NOON - 2,
        is_setup=True,
        amount=0,
        ip=ip,
    )
    return Story("", (), setup if email else replace(setup, email=None))


def signup_paying_at_once(*, billing_country: str | None = "US") -> Story:
    created = NOON - 40
    scored = _on_session(created=NOON, customer="cus_new", customer_created=created, amount=2_900)
    return Story("", (), replace(scored, billing_country=billing_country))


def renewal() -> Story:
    created = NOON - 400 * DAY
    history = _renewals("cus_ren", created, months=6, card="fp_ren", amount=2_900)
    scored = attempt(
        created=NOON,
        amount=2_900,
        card="fp_ren",
        ip=None,
        ip_country=None,
        customer="cus_ren",
        customer_created=created,
        email="cus_ren@example.com",
    )
    return Story("", tuple(history), scored)


def invoice_paid_from_abroad() -> Story:
    """A long-standing subscriber on a trip pays an open invoice from a hotel's network."""
    created = NOON - 300 * DAY
    history = _renewals("cus_trip", created, months=8, card="fp_trip", amount=2_900)
    paid = _on_session(
        created=NOON,
        customer="cus_trip",
        customer_created=created,
        amount=2_900,
        card="fp_trip",
        ip_country="FR",
    )
    return Story("", tuple(history), paid)


def stolen_card_on_an_existing_customer() -> Story:
    created = NOON - 300 * DAY
    history = _renewals("cus_ato", created, months=8, card="fp_own", amount=2_900)
    big = _on_session(
        created=NOON,
        customer="cus_ato",
        customer_created=created,
        amount=50_000,
        card="fp_stolen",
        card_country="BR",
    )
    return Story("", tuple(history), big)


def stolen_card_signup() -> Story:
    created = NOON - 200
    scored = attempt(
        created=NOON,
        amount=99_000,
        card="fp_stolen2",
        card_country="GB",
        ip=SIGNUP_IP,
        ip_country=SIGNUP_IP_COUNTRY,
        email="qzkxvbw81@vjdkwe.xyz",
        customer="cus_thief",
        customer_created=created,
        billing_country="US",
    )
    return Story("", (), scored)


def card_testing_burst(attempts: int = 30) -> list[Story]:
    """30 new cards for $1 from one IP, no customer, declined for a wrong number: the
    story of each attempt given the ones before it."""
    tries = [
        attempt(
            created=NOON + 7 * i,
            amount=100,
            card=f"fp_t{i}",
            card_bin="400000",
            ip=TESTER_IP,
            ip_country=TESTER_IP_COUNTRY,
            email=None,
            customer=None,
            customer_created=None,
            billing_country=None,
            outcome=Outcome.DECLINED,
            decline_code="incorrect_number",
        )
        for i in range(attempts)
    ]
    return [
        Story(f"card testing, try {i + 1}", tuple(tries[:i]), tries[i]) for i in range(attempts)
    ]


def unplaced(story: Story) -> Story:
    """The same payment from an address screening cannot place (IPv6, say)."""
    return Story(story.name, story.history, replace(story.scored, ip_country=None))


def _named(name: str, make: Callable[[], Story]) -> Story:
    story = make()
    return Story(name, story.history, story.scored)


LEGITIMATE: tuple[Story, ...] = (
    _named("one-off $1, no customer, no email, no IP", lambda: _guest(amount=100, ip=None)),
    _named("one-off $20, no customer, no email, no IP", lambda: _guest(amount=2_000, ip=None)),
    _named(
        "one-off $20, no customer, no email, with IP",
        lambda: _guest(amount=2_000, ip=SIGNUP_IP),
    ),
    _named("one-off $250, no customer, no email, no IP", lambda: _guest(amount=25_000, ip=None)),
    _named(
        "one-off $1,000, no customer, receipt email, with IP",
        lambda: _guest(amount=100_000, ip=SIGNUP_IP, email="ana@example.com"),
    ),
    _named("signup paying its first invoice", signup_paying_at_once),
    _named(
        "trial signup setting up a card 2 s after the customer was made",
        lambda: trial_signup_setting_up_a_card(ip=SIGNUP_IP, email=True),
    ),
    _named(
        "the same, no IP and no email",
        lambda: trial_signup_setting_up_a_card(ip=None, email=False),
    ),
    _named(
        "signup paying its first invoice, no billing address",
        lambda: signup_paying_at_once(billing_country=None),
    ),
    _named(
        "second $20 payment 3 s after the first, customer 5 s old",
        lambda: second_payment_seconds_after_the_first(customer_age=5),
    ),
    _named(
        "second $20 payment 3 s after the first, customer 60 days old",
        lambda: second_payment_seconds_after_the_first(customer_age=60 * DAY),
    ),
    _named("upgrade proration 15 min after a renewal", upgrade_right_after_renewal),
    _named(
        "invoice paid 20 min after an insufficient-funds decline", retry_after_insufficient_funds
    ),
    _named(
        "checkout retried 90 s after insufficient funds", checkout_retry_after_insufficient_funds
    ),
    _named("third open invoice paid in a row", third_open_invoice_paid_in_a_row),
    _named("trial converting, card set up 14 days earlier", trial_converting),
    _named("monthly renewal", renewal),
    _named("open invoice paid from abroad (IP FR, card US)", invoice_paid_from_abroad),
    _named(
        "signup paying its first invoice from an IP no country data places (IPv6)",
        lambda: unplaced(signup_paying_at_once()),
    ),
)


def guest_from_abroad(*, amount: int, ip_country: str) -> Story:
    story = _guest(amount=amount, ip=SIGNUP_IP)
    return Story("", (), replace(story.scored, ip_country=ip_country))


# A guest paying from abroad looks like the simulator's card testing (no customer, no
# email, an IP away from the card's country): worth a look, not a block.
ABROAD: tuple[Story, ...] = (
    _named(
        "one-off $20, no customer, no email, IP FR, card US",
        lambda: guest_from_abroad(amount=2_000, ip_country="FR"),
    ),
    _named(
        "one-off $250, no customer, no email, IP JP, card US",
        lambda: guest_from_abroad(amount=25_000, ip_country="JP"),
    ),
)

FRAUD: tuple[Story, ...] = (
    _named(
        "stolen card on an existing customer, $500, card BR", stolen_card_on_an_existing_customer
    ),
    _named("stolen-card signup, $990, card GB, nonsense email", stolen_card_signup),
)


def main() -> None:
    from seikyu.risk.model.scorer import load_default

    scorer = load_default()
    print("| scenario | score |")
    print("| --- | ---: |")
    for story in (*LEGITIMATE, *ABROAD, *FRAUD):
        print(f"| {story.name} | {scorer.score(story.signals())} |")
    burst = [scorer.score(story.signals()) for story in card_testing_burst()]
    print(f"| card testing, tries 1-30 | {' '.join(map(str, burst))} |")


if __name__ == "__main__":
    main()
