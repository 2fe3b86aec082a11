"""When a read may leave the session's pending changes for a later flush.

Autoflush writes every pending change before each query. Changes to rows a read does not
look at can wait: they then go out together, one UPDATE per row instead of one per read in
between. Rows pending insertion or deletion cannot: the order of one flush across tables
follows relationships only, so a later flush could write a row before the row it refers
to (a charge before its new PaymentIntent) and break a foreign key.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from sqlalchemy.orm import Session


def must_flush(session: Session, reads: tuple[type, ...] = ()) -> bool:
    """Whether a read of the models `reads` (or of rows by primary key, with none) must
    flush the session first."""
    if session.new or session.deleted:
        return True
    return bool(reads) and any(isinstance(row, reads) for row in session.dirty)


def autoflush_if_needed(
    session: Session, reads: tuple[type, ...] = ()
) -> AbstractContextManager[object]:
    """A block whose statements autoflush as usual when `must_flush` says so, and leave
    the session's pending changes for the next flush otherwise."""
    return nullcontext() if must_flush(session, reads) else session.no_autoflush
