"""What autovacuum would do during a long PostgreSQL run, on a server where it is off.

A production PostgreSQL vacuums and analyzes each table as it churns. A server configured
with `autovacuum = off` does not: a renewal run's invoices and subscriptions then pile up
dead row versions that every scan of their indexes walks (after 60,000 renewals, 211,000
dead invoice rows beside 176,000 live ones, and counting the invoices still waiting took
300 ms). Measured on such a server, a long run would report the missing vacuum, not
Seikyu.

The stand-in does nothing when autovacuum is on. Otherwise, every few seconds, it applies
autovacuum's default thresholds to the statistics PostgreSQL keeps per table (dead rows
over 50 + 20% of the live ones, rows inserted since the last vacuum over 1,000 + 20%, rows
changed since the last analyze over 50 + 10%) and vacuums or analyzes what crosses them,
one table at a time on one connection, with autovacuum's cost-based delay (2 ms per 200
cost units), as an autovacuum worker would.
"""

from __future__ import annotations

import threading

import psycopg
from psycopg import sql

PASS_SECONDS = 10.0

_STATISTICS = """
SELECT relname, n_live_tup, n_dead_tup, n_ins_since_vacuum, n_mod_since_analyze
FROM pg_stat_user_tables
"""


class AutovacuumStandIn:
    def __init__(self, libpq_url: str) -> None:
        self._url = libpq_url
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.vacuums = 0
        self.analyzes = 0

    def start(self) -> bool:
        """Start standing in if the server's autovacuum is off; whether it did."""
        with psycopg.connect(self._url, autocommit=True) as conn:
            row = conn.execute("SHOW autovacuum").fetchone()
        if row is None or row[0] == "on":
            return False
        self._thread = threading.Thread(target=self._run, name="autovacuum-stand-in")
        self._thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        with psycopg.connect(self._url, autocommit=True) as conn:
            conn.execute("SET vacuum_cost_delay = '2ms'")
            conn.execute("SET vacuum_cost_limit = 200")
            while not self._stop.wait(PASS_SECONDS):
                self._pass(conn)

    def _pass(self, conn: psycopg.Connection[tuple[object, ...]]) -> None:
        for row in conn.execute(_STATISTICS).fetchall():
            if self._stop.is_set():
                return
            live, dead, inserted, changed = (int(str(n)) for n in row[1:])
            table = sql.Identifier(str(row[0]))
            if dead > 50 + 0.2 * live or inserted > 1_000 + 0.2 * live:
                conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(table))
                self.vacuums += 1
            elif changed > 50 + 0.1 * live:
                conn.execute(sql.SQL("ANALYZE {}").format(table))
                self.analyzes += 1
