"""Screening a card payment or card setup before it reaches the processor.

For one attempt: the signals from the account's earlier assessments (velocities, the
customer's and the card's history), a risk score from the model, then Radar's rules in
Radar's order (`seikyu.risk.domain.decision`) with the account's value lists. Afterwards
`record` keeps the attempt and what became of it, for the next attempt's velocities and
for training.

Screening never blocks a payment by accident. The model runs with a time limit on a
thread of its own: a failure or a timeout gives the level `unknown`, which no built-in
rule acts on. The reads run in a savepoint, so a failed read cannot spoil the payment's
transaction: the payment is then screened without them, at the level `unknown` (or its
test card's forced score), with the default settings and no rules.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any, Protocol

from seikyu.accounts import settings
from seikyu.core.clock import to_unix
from seikyu.db.core_reads import read_savepoint
from seikyu.db.models.risk_assessments import RiskAssessment
from seikyu.db.uow import UnitOfWork
from seikyu.risk import rules as account_rules
from seikyu.risk import setup_repository, value_lists
from seikyu.risk import signal_repository as repository
from seikyu.risk.domain import rule_facts
from seikyu.risk.domain.decision import (
    BuiltinRules,
    CustomRule,
    Decision,
    DecisionReason,
    RiskThresholds,
    decide,
)
from seikyu.risk.domain.rule_ast import RuleAction
from seikyu.risk.domain.rule_evaluation import Facts, collect_lists
from seikyu.risk.domain.rule_facts import PaymentFacts
from seikyu.risk.domain.rule_parser import parse_predicate
from seikyu.risk.domain.signals import (
    Attempt,
    KeyHistory,
    Outcome,
    PaymentSignals,
    WindowCounts,
    compose,
)

log = logging.getLogger(__name__)

# The model scores in about 0.1 ms; anything near this means it is stuck, and the payment
# must not wait on it.
MODEL_TIMEOUT_SECONDS = 0.05


class Model(Protocol):
    def score(self, signals: PaymentSignals) -> int: ...


@dataclass(frozen=True, slots=True)
class ForcedRisk:
    """A test card's fixed risk (Stripe's Radar test cards): its score replaces the
    model's, and `always_block` blocks whatever the rules say."""

    score: int
    always_block: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """The attempt to screen, as the payments side describes it."""

    subject_id: str
    payment: PaymentFacts
    customer_created: int | None
    metadata: Mapping[str, str] = field(default_factory=dict)
    customer_metadata: Mapping[str, str] = field(default_factory=dict)
    payment_method_metadata: Mapping[str, str] = field(default_factory=dict)
    forced: ForcedRisk | None = None


@dataclass(frozen=True, slots=True)
class Screening:
    candidate: Candidate
    decision: Decision
    signals: PaymentSignals | None
    now: int

    @property
    def blocks(self) -> bool:
        return self.decision.action is RuleAction.BLOCK

    @property
    def reviews(self) -> bool:
        return self.decision.action is RuleAction.REVIEW

    @property
    def asks_for_three_d_secure(self) -> bool:
        return self.decision.request_three_d_secure


def screen(uow: UnitOfWork, candidate: Candidate) -> Screening:
    """Radar's decision for the attempt. Raises nothing a payment could fail on."""
    now = to_unix(uow.now)
    try:
        with read_savepoint(uow.session, repository.READS + setup_repository.READS):
            signals, all_time = _signals(uow, candidate, now)
            # The model scores on its own thread while the settings, rules and lists are
            # read: its hand-off costs nothing then.
            pending = _start_score(candidate, signals)
            radar, rules, lists = _setup(uow, candidate)
    except Exception:
        log.exception("screening reads failed for %s; screening without them", candidate.subject_id)
        signals, all_time = None, {}
        radar, rules, lists = settings.RadarSettings(), [], _no_lists
        pending = _start_score(candidate, None)
    score = pending()
    facts = Facts(
        attributes=rule_facts.attributes(candidate.payment, signals, all_time),
        metadata=candidate.metadata,
        object_metadata={
            "customer": candidate.customer_metadata,
            "payment_method": candidate.payment_method_metadata,
        },
        lists=lists,
    )
    decision = decide(
        facts,
        rules,
        RiskThresholds.from_block_threshold(radar.block_threshold),
        BuiltinRules(radar.block_if_high_risk, radar.review_if_elevated_risk),
        score=score,
    )
    if candidate.forced is not None and candidate.forced.always_block:
        decision = replace(
            decision,
            action=RuleAction.BLOCK,
            rule=None,
            reason=DecisionReason.HIGHEST_RISK_LEVEL,
        )
    return Screening(candidate, decision, signals, now)


def record(
    uow: UnitOfWork,
    screening: Screening,
    *,
    outcome: str,
    decline_code: str | None = None,
    charge_id: str | None = None,
) -> RiskAssessment:
    """Keep the attempt with what became of it: `authorized`, `declined` or `blocked`."""
    payment = screening.candidate.payment
    row = RiskAssessment(
        id=uow.new_id("rska"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        subject_id=screening.candidate.subject_id,
        charge_id=charge_id,
        customer_id=payment.customer_id,
        card_fingerprint=payment.card_fingerprint,
        card_bin=payment.card_bin,
        card_country=payment.card_country,
        ip_address=payment.ip_address,
        email=payment.email.lower() if payment.email else None,
        amount=payment.amount,
        currency=payment.currency,
        is_setup=payment.is_setup,
        outcome=outcome,
        decline_code=decline_code,
        risk_score=screening.decision.risk_score,
        risk_level=screening.decision.risk_level.value,
        rule_id=screening.decision.rule.id if screening.decision.rule else None,
        signals=_signals_json(screening.signals),
    )
    repository.add(uow.session, row)
    return row


# --- the model -------------------------------------------------------------------------


class _ModelSlot:
    """The process's model, made on first use by the chosen factory."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.model: Model | None = None
        self.factory: Callable[[], Model] | None = None

    def get(self) -> Model:
        with self.lock:
            if self.model is None:
                self.model = (self.factory or _default_model)()
            return self.model


_slot = _ModelSlot()
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="risk-model")


def use_model(factory: Callable[[], Model] | None) -> None:
    """Score with the model `factory` makes (on first use); None goes back to the default.
    For tests and for an account-trained model loaded at start."""
    with _slot.lock:
        _slot.model, _slot.factory = None, factory


def _default_model() -> Model:
    from seikyu.risk.model.scorer import load_default

    return load_default()


def _start_score(candidate: Candidate, signals: PaymentSignals | None) -> Callable[[], int | None]:
    """Start scoring the attempt; the function returned gives the score, or None when the
    model failed or did not answer within its time limit."""
    if candidate.forced is not None:
        forced = candidate.forced.score
        return lambda: forced
    if signals is None:
        return _no_score
    try:
        # Loading is not scoring: the first payment of a process waits for the model to be
        # read (serve reads it at start), then the score itself has its time limit.
        model = _slot.get()
        future = _executor.submit(model.score, signals)
    except Exception:
        log.exception("risk model failed for %s", candidate.subject_id)
        return _no_score

    def result() -> int | None:
        try:
            return future.result(timeout=MODEL_TIMEOUT_SECONDS)
        except FutureTimeout:
            log.warning("risk model timed out for %s", candidate.subject_id)
        except Exception:
            log.exception("risk model failed for %s", candidate.subject_id)
        return None

    return result


def _no_score() -> int | None:
    return None


def warm_up() -> None:
    """Load the model now rather than on the first payment. A model that cannot be loaded
    is logged, not raised: payments are then screened at the level `unknown`."""
    try:
        _slot.get()
    except Exception:
        log.exception("the risk model could not be loaded; payments are scored `unknown`")


# --- reads -----------------------------------------------------------------------------


def _signals(
    uow: UnitOfWork, candidate: Candidate, now: int
) -> tuple[PaymentSignals, dict[str, WindowCounts]]:
    payment = candidate.payment
    session, account, mode = uow.session, uow.account_id, uow.livemode
    email = payment.email.lower() if payment.email else None
    values = {
        "card": payment.card_fingerprint,
        "ip": payment.ip_address,
        "email": email,
        "customer": payment.customer_id,
        "bin": payment.card_bin,
    }
    counts = repository.key_counts(session, account, mode, values, now)
    card, customer = counts.get("card"), counts.get("customer")
    signals = compose(
        Attempt(
            created=now,
            amount=payment.amount,
            currency_exponent=payment.currency_exponent,
            card_fingerprint=payment.card_fingerprint,
            card_bin=payment.card_bin or "",
            card_country=payment.card_country,
            card_brand=payment.card_brand,
            card_funding=payment.card_funding,
            ip_address=payment.ip_address,
            ip_country=payment.ip_country,
            email=email,
            customer_id=payment.customer_id,
            customer_created=candidate.customer_created,
            # Not yet known, and not read: signals come from the history alone.
            outcome=Outcome.AUTHORIZED,
            is_setup=payment.is_setup,
            billing_country=payment.billing_country,
        ),
        {
            key: KeyHistory(
                found.velocity,
                found.distinct_cards_hourly,
                found.distinct_cards_daily,
                found.card_testing_declines_daily,
            )
            for key, found in counts.items()
        },
        first_seen=to_unix(card.first_seen) if card and card.first_seen else None,
        paid=(customer.paid, customer.paid_total) if customer else (0, 0),
        card_used_by_customer=customer is not None and customer.used_card,
    )
    return signals, {key: found.all_time for key, found in counts.items()}


def _setup(
    uow: UnitOfWork, candidate: Candidate
) -> tuple[settings.RadarSettings, list[CustomRule], Callable[[str, str], bool]]:
    """The account's Radar settings, its rules (the default lists' first) and the
    payment's memberships in the lists they name, from one read."""
    wanted = value_lists.wanted_forms(_values_by_type(candidate))
    found = setup_repository.read(
        uow.session, uow.account_id, uow.livemode, {canonical for _, canonical in wanted}
    )
    rules = [
        *_default_list_rules(),
        *(
            CustomRule(rule.id, rule.action, rule.predicate, rule.expression)
            for rule in account_rules.parsed_rules(found.rules)
        ),
    ]
    return (
        settings.radar_settings_of(found.settings),
        rules,
        _list_lookup(uow, rules, wanted, value_lists.matched(wanted, found.members)),
    )


# The default lists act through rules of their own, as in Radar: a value on a default
# allow list lets the payment through, one on a default block list blocks it.
_LIST_ATTRIBUTES = {
    "card_bin": "card_bin",
    "card_country": "card_country",
    "card_fingerprint": "card_fingerprint",
    "customer_id": "customer",
    "email": "email",
    "ip_address": "ip_address",
    "ip_country": "ip_country",
}


@lru_cache(maxsize=1)
def _default_list_rules() -> tuple[CustomRule, ...]:
    made = []
    for verb, action in (("allow", RuleAction.ALLOW), ("block", RuleAction.BLOCK)):
        for kind, attribute in _LIST_ATTRIBUTES.items():
            alias = f"{verb}_list_{kind}"
            predicate = f":{attribute}: IN @{alias}"
            made.append(CustomRule(alias, action, predicate, parse_predicate(predicate)))
    return tuple(made)


def default_list_rule(rule_id: str) -> CustomRule | None:
    """The rule a default list acts through, by its id (the list's alias)."""
    return next((rule for rule in _default_list_rules() if rule.id == rule_id), None)


def _list_lookup(
    uow: UnitOfWork,
    rules: list[CustomRule],
    wanted: value_lists.WantedForms,
    found: frozenset[tuple[str, str]],
) -> Callable[[str, str], bool]:
    """Membership in the lists the rules name: `found` answers for every value the payment
    could be matched on; anything else is looked up as it is asked for."""
    aliases: set[str] = set()
    for rule in rules:
        aliases |= collect_lists(rule.expression)
    answered = {value for values in wanted.values() for value in values}
    asked: dict[tuple[str, str], bool] = {}

    def lookup(alias: str, value: str) -> bool:
        if alias in aliases and value in answered:
            return (alias, value) in found
        if (alias, value) not in asked:
            asked[(alias, value)] = value_lists.contains(uow, alias, value)
        return asked[(alias, value)]

    return lookup


def _values_by_type(candidate: Candidate) -> dict[str, list[str]]:
    payment = candidate.payment
    # The values as the rules will ask about them: their facts give the email lowercased,
    # and a value read here in any other form would be looked up again, one query each.
    email = payment.email.lower() if payment.email else None
    strings = [
        value
        for value in (
            payment.card_fingerprint,
            payment.card_bin,
            payment.card_country,
            payment.ip_address,
            payment.ip_country,
            payment.billing_country,
            email,
            payment.customer_id,
            *candidate.metadata.values(),
        )
        if value
    ]
    return {
        "card_fingerprint": [payment.card_fingerprint],
        "card_bin": [payment.card_bin] if payment.card_bin else [],
        "email": [email] if email else [],
        "ip_address": [payment.ip_address] if payment.ip_address else [],
        "customer_id": [payment.customer_id] if payment.customer_id else [],
        "country": [
            c for c in (payment.card_country, payment.ip_country, payment.billing_country) if c
        ],
        "string": strings,
        "case_sensitive_string": strings,
    }


def _no_lists(alias: str, value: str) -> bool:
    return False


def _signals_json(signals: PaymentSignals | None) -> dict[str, Any]:
    return {} if signals is None else asdict(signals)
