"""When a read must flush the session first: always for rows pending insertion or
deletion, whose order within one later flush is not guaranteed; for changes only when they
are to the models the read looks at."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from seikyu.db.pending import must_flush


class _Base(DeclarativeBase):
    pass


class Read(_Base):
    __tablename__ = "read_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Other(_Base):
    __tablename__ = "other_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine) as opened:
        opened.add_all([Read(id=1, name="r"), Other(id=1, name="o")])
        opened.commit()
        yield opened


def test_nothing_pending_needs_no_flush(session: Session) -> None:
    assert not must_flush(session, (Read,))
    assert not must_flush(session)


def test_a_change_to_another_model_waits(session: Session) -> None:
    session.get_one(Other, 1).name = "changed"
    assert not must_flush(session, (Read,))
    assert not must_flush(session)


def test_a_change_to_a_model_read_is_flushed(session: Session) -> None:
    session.get_one(Read, 1).name = "changed"
    assert must_flush(session, (Read,))


def test_an_insertion_or_deletion_anywhere_is_flushed(session: Session) -> None:
    session.add(Other(id=2, name="new"))
    assert must_flush(session, (Read,))
    assert must_flush(session)
    session.flush()
    session.delete(session.get_one(Other, 2))
    assert must_flush(session, (Read,))
