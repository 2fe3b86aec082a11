"""What screening reads in one statement besides the signals (the account's Radar settings,
its active rules in the order they were made, the payment's list memberships), and that a
read which fails leaves the payment's transaction usable."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from seikyu.accounts import service as accounts
from seikyu.accounts import settings
from seikyu.customers import service as customers
from seikyu.db.models.risk_assessments import RiskAssessment
from seikyu.db.uow import Actor, Database
from seikyu.risk import rules, screening, setup_repository, signal_repository, value_lists
from seikyu.risk.domain.decision import RiskLevel
from seikyu.risk.rules import NewRule, RuleChanges
from seikyu.risk.screening import ForcedRisk
from seikyu.risk.value_lists import NewValueList
from tests.conftest import TestAccount
from tests.support.risk_candidates import candidate


def add_list(db: Database, account_id: str, alias: str, item_type: str, *values: str) -> None:
    with db.unit(Actor(account_id)) as uow:
        made = value_lists.create(uow, NewValueList(alias=alias, name=alias, item_type=item_type))
        for value in values:
            value_lists.create_item(uow, made.value_list.id, value)


def test_one_read_gives_settings_active_rules_in_order_and_memberships(
    db: Database, account: TestAccount
) -> None:
    with db.unit(Actor(account.id)) as uow:
        settings.set_radar_settings(
            uow, account.id, settings.RadarSettings(80, block_if_high_risk=False)
        )
        made = [
            rules.create(uow, NewRule(action=action, predicate=predicate)).id
            for action, predicate in (
                ("block", ":card_country: = 'KP'"),
                ("review", ":email: IN @watched"),
                ("allow", ":customer: = 'cus_vip'"),
            )
        ]
        rules.update(uow, made[2], RuleChanges(status="disabled"))
    add_list(db, account.id, "watched", "email", "ann@example.com", "bob@example.com")
    add_list(db, account.id, "unnamed", "email", "ann@example.com")
    # The same value in another account and in live mode is not this payment's business.
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        other_id = other.id
    add_list(db, other_id, "watched", "email", "ann@example.com")
    with db.unit(Actor(account.id, livemode=True)) as uow:
        made_live = value_lists.create(
            uow, NewValueList(alias="watched", name="w", item_type="email")
        )
        value_lists.create_item(uow, made_live.value_list.id, "ann@example.com")

    with db.unit(Actor(account.id)) as uow:
        found = setup_repository.read(
            uow.session, account.id, False, {"ann@example.com", "nobody@example.com"}
        )
    assert settings.radar_settings_of(found.settings) == settings.RadarSettings(
        80, block_if_high_risk=False
    )
    assert [rule_id for rule_id, _, _ in found.rules] == made[:2]
    assert found.rules[1][1:] == ("review", ":email: IN @watched")
    assert sorted(found.members) == [
        ("unnamed", "email", "ann@example.com"),
        ("watched", "email", "ann@example.com"),
    ]


def test_an_account_with_nothing_stored_reads_as_the_defaults(
    db: Database, account: TestAccount
) -> None:
    with db.unit(Actor(account.id)) as uow:
        found = setup_repository.read(uow.session, account.id, False, set())
    assert settings.radar_settings_of(found.settings) == settings.RadarSettings()
    assert (found.rules, found.members) == ([], [])


def test_a_list_no_rule_names_does_not_act(db: Database, account: TestAccount) -> None:
    add_list(db, account.id, "unnamed", "email", "ann@example.com")
    with db.unit(Actor(account.id)) as uow:
        rules.create(uow, NewRule(action="block", predicate=":email: IN @named"))
    add_list(db, account.id, "named", "email", "bob@example.com")
    with db.unit(Actor(account.id)) as uow:
        assert not screening.screen(uow, candidate(email="ann@example.com")).blocks
        assert screening.screen(uow, candidate(email="Bob@Example.com")).blocks


def test_a_mixed_case_email_is_answered_by_the_one_read(
    db: Database, account: TestAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rules see the email lowercased; the read must have asked for it in that form, or
    # every list rule on the email (the default lists' among them) costs a query of its own.
    add_list(db, account.id, "named", "email", "bob@example.com")
    with db.unit(Actor(account.id)) as uow:
        rules.create(uow, NewRule(action="block", predicate=":email: IN @named"))

    def no_second_query(*args: object) -> bool:
        raise AssertionError(f"looked up outside the one read: {args[1:]}")

    monkeypatch.setattr(value_lists, "contains", no_second_query)
    with db.unit(Actor(account.id)) as uow:
        assert screening.screen(uow, candidate(email="Bob@Example.com")).blocks
        assert not screening.screen(uow, candidate(email="Ann@Example.com")).blocks


def failing_read(session: Session, *args: object) -> setup_repository.ScreeningSetup:
    # A statement the database refuses: on PostgreSQL it would abort the whole transaction
    # but for the savepoint screening reads in.
    session.execute(text("SELECT * FROM no_such_table"))
    raise AssertionError("unreachable")


@pytest.mark.parametrize("forced", [None, ForcedRisk(90)])
def test_a_failed_read_screens_on_defaults_and_spares_the_payment(
    db: Database, account: TestAccount, monkeypatch: pytest.MonkeyPatch, forced: ForcedRisk | None
) -> None:
    with db.unit(Actor(account.id)) as uow:
        rules.create(uow, NewRule(action="allow", predicate=":card_country: = 'US'"))
    monkeypatch.setattr(setup_repository, "read", failing_read)
    with db.unit(Actor(account.id)) as uow:
        found = screening.screen(uow, candidate(forced=forced))
        # The payment's transaction goes on: it can still read and write.
        rules.create(uow, NewRule(action="review", predicate=":card_country: = 'FR'"))
    assert found.signals is None
    if forced is None:
        assert (found.decision.risk_level, found.decision.action) == (RiskLevel.UNKNOWN, None)
    else:
        # A test card's forced score still counts, under the default settings: the
        # account's allow rule was not read.
        assert found.decision.risk_level is RiskLevel.HIGHEST
        assert found.blocks
    monkeypatch.undo()
    with db.unit(Actor(account.id)) as uow:
        stored = setup_repository.read(uow.session, account.id, False, set())
    assert stored.rules[-1][1:] == ("review", ":card_country: = 'FR'")


def test_screening_leaves_the_payments_other_changes_for_the_next_flush(
    db: Database, account: TestAccount
) -> None:
    # The reads look at attempts, settings, rules and lists alone: an unrelated change
    # pending in the session (the invoice of an attempt, say) waits for the next flush,
    # instead of being written here and again, changed, after the attempt.
    seen: list[str] = []

    def remember(*args: object) -> None:
        seen.append(str(args[2]).split()[0])

    with db.unit(Actor(account.id)) as uow:
        changed = customers.create(uow, {"name": "Before"})
        uow.session.flush()
        changed.name = "After"
        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            screening.screen(uow, candidate())
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)
        assert uow.session.is_modified(changed)
        changed_id = changed.id
    assert "UPDATE" not in seen
    assert "SELECT" in seen
    with db.unit(Actor(account.id)) as uow:
        assert customers.get(uow, changed_id).name == "After"


def test_an_attempt_pending_in_the_session_is_counted(
    db: Database, account: TestAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[dict[str, signal_repository.KeyCounts]] = []
    key_counts = signal_repository.key_counts

    def spy(*args: Any) -> dict[str, signal_repository.KeyCounts]:
        counted.append(key_counts(*args))
        return counted[-1]

    monkeypatch.setattr(signal_repository, "key_counts", spy)
    with db.unit(Actor(account.id)) as uow:
        first = screening.screen(uow, candidate())
        screening.record(uow, first, outcome="authorized")
        assert any(isinstance(row, RiskAssessment) for row in uow.session.new)
        screening.screen(uow, candidate())
    assert counted[0]["card"].velocity.hourly.authorized == 0
    assert counted[1]["card"].velocity.hourly.authorized == 1


def test_a_failed_read_keeps_the_payments_pending_changes(
    db: Database, account: TestAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(setup_repository, "read", failing_read)
    with db.unit(Actor(account.id)) as uow:
        kept = customers.create(uow, {"name": "Kept"})
        uow.session.flush()
        kept.name = "Changed"
        found = screening.screen(uow, candidate())
        assert found.signals is None
        kept_id = kept.id
    with db.unit(Actor(account.id)) as uow:
        assert customers.get(uow, kept_id).name == "Changed"
