"""Rows a unit of work has loaded stay in its session until the unit ends.

SQLAlchemy's identity map holds objects weakly: a row loaded, used and dropped (the account
read for a setting, a tax rate read for a rendering) is collected, and the next
`session.get` for it runs the same SELECT again. A renewal read its account seven times and
its tax rates nine. A unit of work is one short transaction, so keeping what it loaded until
it ends costs little memory and changes nothing it can see: an object still referenced is
never reloaded by `session.get` either.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

_KEY = "seikyu.kept_rows"


def keep_loaded_rows(sessions: sessionmaker[Session]) -> None:
    event.listen(sessions, "loaded_as_persistent", _keep)


def _keep(session: Session, instance: Any) -> None:
    session.info.setdefault(_KEY, []).append(instance)
