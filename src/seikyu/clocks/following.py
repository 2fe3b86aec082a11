"""Requests about a test clock's objects run at the clock's time, as on Stripe: a
subscription created for a clock's customer starts at the clock's frozen_time, and an
update to it prorates from there."""

from __future__ import annotations

from collections.abc import Iterable

from seikyu.clocks import repository
from seikyu.db.uow import UnitOfWork


def follow(uow: UnitOfWork, object_ids: Iterable[str]) -> None:
    """Set the unit's time to the test clock of the first of `object_ids` whose customer is
    on one; leave it alone when none is."""
    if uow.livemode:
        return
    for object_id in object_ids:
        clock_id = repository.clock_of(uow.session, uow.account_id, uow.livemode, object_id)
        if clock_id is None:
            continue
        clock = repository.get(uow.session, uow.account_id, uow.livemode, clock_id)
        if clock is not None:
            uow.now = clock.frozen_time
            return
