"""An account's own payments as a labelled data set for the fraud model.

Rows are the account's screened attempts (`risk_assessments`), each with the signals it was
scored on, rebuilt from the stored JSON and turned into the same `feature_vector` as
online. A payment is fraudulent when any of these says so, from the moment it was made:

- an early fraud warning on its charge: the warning's `created`;
- a dispute of its charge with reason `fraudulent`: the dispute's `created`;
- a review of it closed `refunded_as_fraud`: the review's `updated`;
- `fraud_details.user_report == "fraudulent"` on its charge: the first refund with reason
  `fraudulent` on that charge, or, with no such refund, the charge's own `created` (a
  report made by updating the charge leaves no time of its own).

Which attempts become rows, and why:

- Only authorized payments with a charge. Their fate is observable: a fraudulent one is
  warned of, disputed, reported or refunded as fraud. A declined or blocked attempt, a
  card-testing try above all, never reaches anyone who could label it, and a card setup
  has no charge to report; calling them legitimate would teach the model that card
  testing is normal, calling them fraud would guess. They are left out as rows. They still
  count where they matter, in the velocities of the attempts after them, which the stored
  signals already hold.
- Only attempts at least `label_delay` old at the cutoff: younger ones may still be
  disputed. An attempt old enough with no fraud label made by the cutoff is legitimate.
- Only labels made by the cutoff, so training at a past cutoff sees what was known then.
- Attempts screened without signals (stored `{}`) or with signals this version cannot
  read are left out and counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from seikyu.core.clock import to_unix
from seikyu.db.uow import UnitOfWork
from seikyu.risk import training_repository as repository
from seikyu.risk.domain.features import FEATURE_NAMES, feature_vector
from seikyu.risk.domain.signals import KeyVelocity, PaymentSignals, Velocities, WindowCounts
from seikyu.risk.model.dataset import Dataset

DEFAULT_LABEL_DELAY_DAYS = 30
DEFAULT_MIN_FRAUDS = 20
# Calibration pins scores to quantiles of held-out legitimate payments down to the 99.9th;
# with fewer than this many, those quantiles are a handful of payments.
MIN_LEGITIMATE = 200

EARLY_FRAUD_WARNING = "early_fraud_warning"
FRAUDULENT_DISPUTE = "fraudulent_dispute"
REVIEW_REFUNDED_AS_FRAUD = "review_refunded_as_fraud"
USER_REPORT = "user_report"
LEGITIMATE = "none"


class NotEnoughLabels(ValueError):
    """Too few labelled payments to train a model worth using."""


@dataclass(frozen=True, slots=True)
class FraudLabel:
    available_at: int
    source: str


@dataclass(frozen=True, slots=True)
class TrainingData:
    """The rows to train on, the cutoff their labels were read at, and what was left out."""

    dataset: Dataset
    cutoff: int
    label_delay_days: int
    excluded: Mapping[str, int]

    @property
    def frauds(self) -> int:
        return int(self.dataset.fraud.sum())

    @property
    def legitimate(self) -> int:
        return len(self.dataset) - self.frauds


def _counts(data: Mapping[str, Any]) -> WindowCounts:
    return WindowCounts(**{f.name: int(data[f.name]) for f in fields(WindowCounts)})


def _key_velocity(data: Mapping[str, Any]) -> KeyVelocity:
    return KeyVelocity(**{f.name: _counts(data[f.name]) for f in fields(KeyVelocity)})


_KEY_VELOCITY_FIELDS = frozenset(
    f.name for f in fields(Velocities) if f.type in ("KeyVelocity", KeyVelocity)
)


def signals_from_json(data: Mapping[str, Any]) -> PaymentSignals:
    """`PaymentSignals` from the `dataclasses.asdict` form screening stores.

    Raises `KeyError`, `TypeError` or `ValueError` when a field is missing or malformed.
    """
    stored = data["velocities"]
    counts: dict[str, Any] = {
        f.name: _key_velocity(stored[f.name])
        if f.name in _KEY_VELOCITY_FIELDS
        else int(stored[f.name])
        for f in fields(Velocities)
    }
    values = {f.name: data[f.name] for f in fields(PaymentSignals) if f.name != "velocities"}
    return PaymentSignals(**values, velocities=Velocities(**counts))


def fraud_labels(uow: UnitOfWork, known_by: datetime) -> dict[str, FraudLabel]:
    """The earliest fraud label of each charge among those made by `known_by`."""
    session, account, mode = uow.session, uow.account_id, uow.livemode
    found: dict[str, FraudLabel] = {}

    def keep(charge_id: str, at: datetime, source: str) -> None:
        label = FraudLabel(to_unix(at), source)
        if at <= known_by and (
            charge_id not in found or label.available_at < found[charge_id].available_at
        ):
            found[charge_id] = label

    for charge_id, created in repository.early_fraud_warnings(session, account, mode, known_by):
        keep(charge_id, created, EARLY_FRAUD_WARNING)
    for charge_id, created in repository.fraudulent_disputes(session, account, mode, known_by):
        keep(charge_id, created, FRAUDULENT_DISPUTE)
    for charge_id, updated in repository.reviews_refunded_as_fraud(
        session, account, mode, known_by
    ):
        keep(charge_id, updated, REVIEW_REFUNDED_AS_FRAUD)
    for charge in repository.charges_with_fraud_details(session, account, mode):
        details = charge.fraud_details if isinstance(charge.fraud_details, dict) else {}
        if details.get("user_report") == repository.FRAUDULENT:
            keep(
                charge.charge_id,
                charge.first_fraudulent_refund or charge.charge_created,
                USER_REPORT,
            )
    return found


def load_training_data(
    uow: UnitOfWork,
    *,
    cutoff: datetime | None = None,
    label_delay_days: int = DEFAULT_LABEL_DELAY_DAYS,
    min_frauds: int = DEFAULT_MIN_FRAUDS,
) -> TrainingData:
    """The unit's account's labelled payments as known at `cutoff` (default: the unit's now).

    Raises `NotEnoughLabels` with fewer than `min_frauds` fraudulent or `MIN_LEGITIMATE`
    legitimate payments to learn from.
    """
    known_by = cutoff or uow.now
    old_enough = known_by - timedelta(days=label_delay_days)
    labels = fraud_labels(uow, known_by)
    excluded: Counter[str] = Counter()
    rows: list[tuple[float, ...]] = []
    fraud: list[bool] = []
    kinds: list[str] = []
    created: list[int] = []
    available: list[int] = []
    delay = label_delay_days * 86_400
    for attempt in repository.assessments(uow.session, uow.account_id, uow.livemode, old_enough):
        reason = _excluded_because(attempt)
        if reason is None:
            try:
                signals = signals_from_json(attempt.signals)
            except (KeyError, TypeError, ValueError):
                reason = "unreadable_signals"
        if reason is not None:
            excluded[reason] += 1
            continue
        label = labels.get(attempt.charge_id or "")
        at = to_unix(attempt.created)
        rows.append(feature_vector(signals))
        fraud.append(label is not None)
        kinds.append(label.source if label is not None else LEGITIMATE)
        created.append(at)
        available.append(label.available_at if label is not None else at + delay)
    data = TrainingData(
        dataset=Dataset(
            features=np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES)),
            fraud=np.asarray(fraud, dtype=bool),
            kind=np.asarray(kinds, dtype=np.str_),
            created=np.asarray(created, dtype=np.int64),
            label_available_at=np.asarray(available, dtype=np.int64),
        ),
        cutoff=to_unix(known_by),
        label_delay_days=label_delay_days,
        excluded=dict(sorted(excluded.items())),
    )
    _check_enough(data, min_frauds)
    return data


def _excluded_because(attempt: repository.AssessedAttempt) -> str | None:
    if attempt.outcome != "authorized":
        return attempt.outcome
    if attempt.is_setup:
        return "setup"
    if attempt.charge_id is None:
        return "no_charge"
    if not attempt.signals:
        return "no_signals"
    return None


def _check_enough(data: TrainingData, min_frauds: int) -> None:
    if data.frauds < min_frauds:
        raise NotEnoughLabels(
            f"Only {data.frauds} fraudulent payment(s) labelled among payments at least "
            f"{data.label_delay_days} days old; at least {min_frauds} are needed to train. "
            "Keep the shipped model until more are labelled (early fraud warnings, "
            "disputes for fraud, charges reported fraudulent, reviews refunded as fraud)."
        )
    if data.legitimate < MIN_LEGITIMATE:
        raise NotEnoughLabels(
            f"Only {data.legitimate} legitimate payment(s) at least {data.label_delay_days} "
            f"days old; at least {MIN_LEGITIMATE} are needed to calibrate scores."
        )
