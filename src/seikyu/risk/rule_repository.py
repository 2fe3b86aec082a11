"""SQL for an account's screening rules."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from seikyu.db.models.radar_rules import RadarRule
from seikyu.db.pagination import Page, Window, paginate


def add(session: Session, rule: RadarRule) -> None:
    session.add(rule)


def delete(session: Session, rule: RadarRule) -> None:
    session.delete(rule)


def _scoped(account_id: str, livemode: bool) -> Select[RadarRule]:
    return select(RadarRule).where(
        RadarRule.account_id == account_id, RadarRule.livemode == livemode
    )


def get(
    session: Session, account_id: str, livemode: bool, rule_id: str, *, for_update: bool = False
) -> RadarRule | None:
    stmt = _scoped(account_id, livemode).where(RadarRule.id == rule_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def count(session: Session, account_id: str, livemode: bool) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(RadarRule)
            .where(RadarRule.account_id == account_id, RadarRule.livemode == livemode)
        )
        or 0
    )


def all_rules(session: Session, account_id: str, livemode: bool) -> list[RadarRule]:
    return list(session.scalars(_scoped(account_id, livemode).order_by(RadarRule.id)))


def page(
    session: Session,
    account_id: str,
    livemode: bool,
    window: Window,
    *,
    action: str | None,
    status: str | None,
) -> Page[RadarRule]:
    stmt = _scoped(account_id, livemode)
    if action is not None:
        stmt = stmt.where(RadarRule.action == action)
    if status is not None:
        stmt = stmt.where(RadarRule.status == status)
    return paginate(session, stmt, RadarRule.id, RadarRule.created, window)
