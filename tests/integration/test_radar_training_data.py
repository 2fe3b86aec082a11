"""Training on an account's own payments: which attempts become rows, which are fraud and
since when, label delay, refusing to train on too little, and `seikyu radar train
--account` writing a model the server can load."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from seikyu.cli import app
from seikyu.core.clock import to_unix
from seikyu.db.models.charges import Charge
from seikyu.db.models.disputes import Dispute
from seikyu.db.models.early_fraud_warnings import EarlyFraudWarning
from seikyu.db.models.refunds import Refund
from seikyu.db.models.reviews import Review
from seikyu.db.models.risk_assessments import RiskAssessment
from seikyu.db.uow import Actor, Database, UnitOfWork
from seikyu.risk.domain.signals import signals_for
from seikyu.risk.model.scorer import Scorer
from seikyu.risk.training_data import (
    EARLY_FRAUD_WARNING,
    FRAUDULENT_DISPUTE,
    LEGITIMATE,
    REVIEW_REFUNDED_AS_FRAUD,
    USER_REPORT,
    NotEnoughLabels,
    TrainingData,
    load_training_data,
)
from tests.conftest import TestAccount
from tests.unit.risk_model.factories import attempt

DAY = timedelta(days=1)


def _signals(n: int, *, fraud: bool) -> dict[str, Any]:
    scored = attempt(
        created=1_767_225_600 + n,
        amount=60_000 + n if fraud else 900 + 100 * (n % 90),
        card=f"fp_{n}",
        card_country="BR" if fraud else "US",
        customer_created=1_767_225_600 - (60 if fraud else 86_400 * (30 + n % 300)),
    )
    return asdict(signals_for(scored, []))


def _charge(uow: UnitOfWork, created: datetime, fraud_details: dict[str, Any] | None = None) -> str:
    charge = Charge(
        id=uow.new_id("ch"),
        account_id=uow.account_id,
        livemode=False,
        created=created,
        amount=60_000,
        currency="usd",
        status="succeeded",
        fraud_details=fraud_details,
        payment_method_details={},
        billing_details={},
        metadata_={},
    )
    uow.session.add(charge)
    uow.session.flush()
    return charge.id


def _assessment(
    uow: UnitOfWork,
    created: datetime,
    *,
    n: int,
    charge_id: str | None = None,
    fraud: bool = False,
    outcome: str = "authorized",
    is_setup: bool = False,
    signals: dict[str, Any] | None = None,
) -> None:
    uow.session.add(
        RiskAssessment(
            id=uow.new_id("rska"),
            account_id=uow.account_id,
            livemode=False,
            created=created,
            subject_id=f"pi_{n}",
            charge_id=charge_id if charge_id is not None else f"ch_legit_{n}",
            customer_id=f"cus_{n}",
            card_fingerprint=f"fp_{n}",
            card_bin="424242",
            card_country="US",
            ip_address=None,
            email=None,
            amount=900,
            currency="usd",
            is_setup=is_setup,
            outcome=outcome,
            decline_code="incorrect_number" if outcome == "declined" else None,
            risk_score=10,
            risk_level="normal",
            rule_id=None,
            signals=_signals(n, fraud=fraud) if signals is None else signals,
        )
    )


def _warning(uow: UnitOfWork, charge_id: str, created: datetime) -> None:
    uow.session.add(
        EarlyFraudWarning(
            id=uow.new_id("issfr"),
            account_id=uow.account_id,
            livemode=False,
            created=created,
            charge_id=charge_id,
            fraud_type="made_with_stolen_card",
            actionable=True,
        )
    )


def _legitimate(uow: UnitOfWork, now: datetime, count: int, *, first: int = 1_000) -> None:
    for i in range(count):
        _assessment(uow, now - 40 * DAY - i * timedelta(minutes=7), n=first + i)


def _fraud_with_warning(uow: UnitOfWork, created: datetime, warned: datetime, n: int) -> str:
    charge = _charge(uow, created)
    _assessment(uow, created, n=n, charge_id=charge, fraud=True)
    _warning(uow, charge, warned)
    return charge


def _row_of(data: TrainingData, created: datetime) -> int:
    [index] = np.flatnonzero(data.dataset.created == to_unix(created)).tolist()
    return int(index)


def test_each_fraud_record_labels_its_payment_from_the_moment_it_was_made(
    db: Database, account: TestAccount
) -> None:
    with db.unit(Actor(account.id)) as uow:
        now = uow.now
        paid = [now - (60 + i) * DAY for i in range(5)]
        _fraud_with_warning(uow, paid[0], now - 50 * DAY, n=1)

        reviewed = _charge(uow, paid[1])
        _assessment(uow, paid[1], n=2, charge_id=reviewed, fraud=True)
        review = Review(
            id=uow.new_id("prv"),
            account_id=uow.account_id,
            livemode=False,
            created=paid[1],
            charge_id=reviewed,
            open=False,
            opened_reason="rule",
            reason="refunded_as_fraud",
            closed_reason="refunded_as_fraud",
            updated=now - 45 * DAY,
        )
        uow.session.add(review)

        refunded = _charge(uow, paid[2], {"user_report": "fraudulent"})
        _assessment(uow, paid[2], n=3, charge_id=refunded, fraud=True)
        refund = Refund(
            id=uow.new_id("re"),
            account_id=uow.account_id,
            livemode=False,
            created=now - 40 * DAY,
            amount=60_000,
            currency="usd",
            charge_id=refunded,
            status="succeeded",
            reason="fraudulent",
            metadata_={},
        )
        uow.session.add(refund)

        reported = _charge(uow, paid[3], {"user_report": "fraudulent"})
        _assessment(uow, paid[3], n=4, charge_id=reported, fraud=True)
        safe = _charge(uow, paid[4], {"user_report": "safe"})
        _assessment(uow, paid[4], n=5, charge_id=safe)
        _legitimate(uow, now, 210)

    with db.unit(Actor(account.id), readonly=True) as uow:
        data = load_training_data(uow, min_frauds=1)

    rows = [_row_of(data, created) for created in paid]
    kinds = data.dataset.kind[rows].tolist()
    assert kinds == [
        EARLY_FRAUD_WARNING,
        REVIEW_REFUNDED_AS_FRAUD,
        USER_REPORT,
        USER_REPORT,
        LEGITIMATE,
    ]
    assert data.dataset.fraud[rows].tolist() == [True, True, True, True, False]
    assert data.dataset.label_available_at[rows[:4]].tolist() == [
        to_unix(now - 50 * DAY),
        to_unix(now - 45 * DAY),
        to_unix(now - 40 * DAY),
        to_unix(paid[3]),
    ]
    assert (data.frauds, data.legitimate) == (4, 211)


def _dispute(uow: UnitOfWork, charge_id: str, created: datetime, reason: str) -> None:
    uow.session.add(
        Dispute(
            id=uow.new_id("dp"),
            account_id=uow.account_id,
            livemode=False,
            created=created,
            charge_id=charge_id,
            amount=60_000,
            currency="usd",
            reason=reason,
            status="lost",
            case_type="chargeback",
            card_brand="visa",
            evidence={},
            due_by=created + 21 * DAY,
            metadata_={},
        )
    )


def test_a_dispute_for_fraud_labels_its_payment_from_when_it_was_opened(
    db: Database, account: TestAccount
) -> None:
    with db.unit(Actor(account.id)) as uow:
        now = uow.now
        paid = [now - (60 + i) * DAY for i in range(4)]
        charges = []
        for n, created in enumerate(paid, start=1):
            charges.append(_charge(uow, created))
            _assessment(uow, created, n=n, charge_id=charges[-1], fraud=n != 3)
        _dispute(uow, charges[0], now - 50 * DAY, "fraudulent")
        _dispute(uow, charges[0], now - 40 * DAY, "fraudulent")
        # A warning made before the dispute labels the payment first.
        _warning(uow, charges[1], now - 55 * DAY)
        _dispute(uow, charges[1], now - 50 * DAY, "fraudulent")
        # A dispute for another reason says nothing about fraud.
        _dispute(uow, charges[2], now - 50 * DAY, "product_not_received")
        # A dispute opened after the cutoff is not known yet.
        _dispute(uow, charges[3], now - 5 * DAY, "fraudulent")
        _legitimate(uow, now, 210)

    with db.unit(Actor(account.id), readonly=True) as uow:
        data = load_training_data(uow, cutoff=now - 10 * DAY, label_delay_days=20, min_frauds=1)

    rows = [_row_of(data, created) for created in paid]
    assert data.dataset.kind[rows].tolist() == [
        FRAUDULENT_DISPUTE,
        EARLY_FRAUD_WARNING,
        LEGITIMATE,
        LEGITIMATE,
    ]
    assert data.dataset.label_available_at[rows[:2]].tolist() == [
        to_unix(now - 50 * DAY),
        to_unix(now - 55 * DAY),
    ]


def test_only_payments_old_enough_and_labels_made_by_the_cutoff_count(
    db: Database, account: TestAccount
) -> None:
    with db.unit(Actor(account.id)) as uow:
        now = uow.now
        _fraud_with_warning(uow, now - 10 * DAY, now - 9 * DAY, n=1)
        late = now - 60 * DAY
        _fraud_with_warning(uow, late, now - 5 * DAY, n=2)
        _legitimate(uow, now, 210)

    with db.unit(Actor(account.id), readonly=True) as uow:
        today = load_training_data(uow, min_frauds=1)
        with pytest.raises(NotEnoughLabels, match="Only 0 fraudulent"):
            load_training_data(uow, cutoff=now - 10 * DAY, min_frauds=1)
        then = load_training_data(uow, cutoff=now - 10 * DAY, label_delay_days=20, min_frauds=0)

    # The 10-day-old payment is too young to train on, warned or not.
    assert to_unix(now - 10 * DAY) not in today.dataset.created.tolist()
    assert today.frauds == 1
    assert bool(today.dataset.fraud[_row_of(today, late)])
    # Ten days ago its warning had not been made: it was a legitimate payment then.
    assert not bool(then.dataset.fraud[_row_of(then, late)])
    assert then.cutoff == to_unix(now - 10 * DAY)


def test_attempts_whose_fate_cannot_be_observed_are_left_out_and_counted(
    db: Database, account: TestAccount
) -> None:
    with db.unit(Actor(account.id)) as uow:
        now = uow.now
        old = now - 50 * DAY
        _fraud_with_warning(uow, old, old + DAY, n=1)
        for n in range(3):
            _assessment(uow, old, n=10 + n, outcome="declined")
        _assessment(uow, old, n=20, outcome="blocked")
        _assessment(uow, old, n=21, is_setup=True)
        _assessment(uow, old, n=22, signals={})
        _assessment(uow, old, n=23, signals={"amount": 1})
        _legitimate(uow, now, 210)

    with db.unit(Actor(account.id), readonly=True) as uow:
        data = load_training_data(uow, min_frauds=1)

    assert dict(data.excluded) == {
        "blocked": 1,
        "declined": 3,
        "no_signals": 1,
        "setup": 1,
        "unreadable_signals": 1,
    }
    assert len(data.dataset) == 211


def test_too_few_labelled_frauds_is_refused_with_a_reason(
    db: Database, account: TestAccount, database_url: str, tmp_path: Path
) -> None:
    with db.unit(Actor(account.id)) as uow:
        now = uow.now
        for n in range(3):
            _fraud_with_warning(uow, now - (40 + n) * DAY, now - 35 * DAY, n=n)
        _legitimate(uow, now, 210)

    with db.unit(Actor(account.id), readonly=True) as uow, pytest.raises(NotEnoughLabels):
        load_training_data(uow)
    out = tmp_path / "model.txt"
    result = CliRunner().invoke(
        app,
        [
            "radar",
            "train",
            "--account",
            account.id,
            "--testmode",
            "--database-url",
            database_url,
            "--out",
            str(out),
        ],
    )

    assert result.exit_code == 3, result.output
    assert "Only 3 fraudulent payment(s)" in result.output
    assert not out.exists()


def test_radar_train_on_an_account_writes_a_model_the_server_can_load(
    db: Database, account: TestAccount, database_url: str, tmp_path: Path
) -> None:
    with db.unit(Actor(account.id)) as uow:
        now = uow.now
        for n in range(25):
            created = now - 40 * DAY - n * timedelta(hours=11)
            _fraud_with_warning(uow, created, created + 7 * DAY, n=n)
        _legitimate(uow, now, 300)
    out = tmp_path / "model.txt"

    result = CliRunner().invoke(
        app,
        [
            "radar",
            "train",
            "--account",
            account.id,
            "--testmode",
            "--database-url",
            database_url,
            "--out",
            str(out),
        ],
    )

    assert result.exit_code == 0, result.output
    assert "25 fraudulent, 300 legitimate" in result.output
    scorer = Scorer.from_file(out)
    fraud = scorer.score(signals_for(attempt(amount=60_000, card_country="BR"), []))
    assert 0 <= fraud <= 99


def test_radar_train_needs_one_source(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["radar", "train", "--out", str(tmp_path / "m.txt")])

    assert result.exit_code == 2
    assert "exactly one of --from-simulation and --account" in result.output
