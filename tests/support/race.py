"""Two transactions on one database, the second started while the first is still open."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from seikyu.db.uow import Actor, Database, UnitOfWork


def second_during_first(
    db: Database,
    actor: Actor,
    first: Callable[[UnitOfWork], Any],
    second: Callable[[UnitOfWork], Any],
    *,
    hold: float = 0.5,
) -> BaseException | None:
    """Run `first` in a unit kept open `hold` seconds after it acted, and `second` in its
    own unit as soon as `first` has acted. Returns what `second` raised, or None."""
    first_acted = threading.Event()
    outcome: dict[str, BaseException | None] = {}

    def run_first() -> None:
        with db.unit(actor) as uow:
            first(uow)
            first_acted.set()
            time.sleep(hold)  # keep the transaction open while the second one runs

    def run_second() -> None:
        first_acted.wait(timeout=10)
        try:
            with db.unit(actor) as uow:
                second(uow)
            outcome["second"] = None
        except Exception as error:
            outcome["second"] = error

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcome.get("second")
