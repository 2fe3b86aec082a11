"""Idempotency-Key handling for a whole group of ingestion requests at once.

The semantics are the request pipeline's: the first response to a key is stored with its
request's fingerprint for 24 hours; the same key with the same request replays it, with a
different request it is an idempotency_error; a key still being processed is in use. The
difference is cost: one query finds every key the group's requests name, and one
statement stores their responses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.orm import Session

from seikyu.core.errors import ErrorType, Kind, SeikyuError
from seikyu.metering import ingest_repository as repo
from seikyu.metering.ingest_jobs import Job, Reply
from seikyu.metering.ingest_repository import StoredKey

IDEMPOTENCY_TTL = timedelta(hours=24)

Slot = tuple[str, bool, str]


class KeyTakenMeanwhile(Exception):
    """One of the group's keys was stored already (the group did not look first) or by
    another process after the group looked, or, for a group written in one statement, so
    was a strict event's identifier: the group is rolled back and written again, looking,
    and then replays the stored response (or refuses the duplicate)."""


def answer_known_keys(
    session: Session, jobs: Sequence[Job], now: datetime, *, look: bool = True
) -> dict[int, Reply]:
    """Replies for the jobs whose key was used before (a replay or an idempotency error)
    or is used twice within the group; the other jobs go ahead.

    With `look` false the stored keys are not read: nearly every key is new, and one that
    is not makes `store_responses` raise, so the group is written again, looking."""
    wanted: dict[tuple[str, bool], set[str]] = defaultdict(set)
    for job in jobs:
        slot = _slot(job)
        if slot is not None and job.failed is None:
            wanted[slot[:2]].add(slot[2])
    stored: dict[Slot, StoredKey] = {}
    expired: list[int] = []
    for (account_id, livemode), keys in wanted.items() if look else ():
        for row in repo.keys_in_use(session, account_id, livemode, keys):
            if row.created < now - IDEMPOTENCY_TTL:
                expired.append(row.id)
            else:
                stored[(account_id, livemode, row.key)] = row
    repo.delete_keys(session, expired)
    return _answers(jobs, stored)


def repeated_in_group(jobs: Sequence[Job]) -> dict[int, Reply]:
    """Replies for the jobs whose key an earlier job of the group uses (in use), for a
    group that does not look at the stored keys first."""
    return _answers(jobs, {})


def _answers(jobs: Sequence[Job], stored: dict[Slot, StoredKey]) -> dict[int, Reply]:
    answers: dict[int, Reply] = {}
    claimed: set[Slot] = set()
    for index, job in enumerate(jobs):
        slot = _slot(job)
        if slot is None or job.failed is not None:
            continue
        earlier = stored.get(slot)
        if slot in claimed:
            answers[index] = job.respond(_in_use())
        elif earlier is None:
            claimed.add(slot)
        elif earlier.request_fingerprint != job.context.fingerprint:
            answers[index] = job.respond(_mismatch(slot[2]))
        else:
            answers[index] = _replay(earlier)
    return answers


def store_responses(
    session: Session, stored: list[tuple[Job, Reply]], logs: list[dict[str, Any]]
) -> None:
    """Store the responses kept for the jobs' keys, with the group's log lines (`logs`)."""
    rows = key_rows(stored)
    if len(repo.add_keys_and_logs(session, rows, logs)) != len(rows):
        raise KeyTakenMeanwhile


def key_rows(stored: list[tuple[Job, Reply]]) -> list[dict[str, Any]]:
    """The idempotency key rows of the responses kept for the jobs' keys."""
    return [
        {
            "account_id": job.context.account_id,
            "livemode": job.context.livemode,
            "key": job.context.idempotency_key,
            "created": job.context.received,
            "request_fingerprint": job.context.fingerprint,
            "method": job.context.method,
            "path": job.context.path,
            "status": reply.status,
            "body": reply.body,
            "request_id": job.context.request_id,
        }
        for job, reply in stored
    ]


def keeps_response(job: Job, reply_error: SeikyuError | None) -> bool:
    """As in the pipeline: an executed request's answer is kept, unless it is a fault (a
    retry may succeed) or an idempotency error (it is not the key's answer)."""
    if _slot(job) is None or job.failed is not None:
        return False
    if reply_error is None:
        return True
    return reply_error.kind is not Kind.INTERNAL and reply_error.type is not ErrorType.IDEMPOTENCY


def _slot(job: Job) -> Slot | None:
    ctx = job.context
    if ctx.idempotency_key is None or ctx.account_id is None:
        return None
    return (ctx.account_id, ctx.livemode, ctx.idempotency_key)


def _replay(row: StoredKey) -> Reply:
    error = orjson.loads(row.body).get("error") if row.status >= 400 else None
    return Reply(
        row.status,
        row.body,
        error=error if isinstance(error, dict) else None,
        headers={"Idempotent-Replayed": "true", "Original-Request": row.request_id},
    )


def _mismatch(key: str) -> SeikyuError:
    return SeikyuError(
        "Keys for idempotent requests can only be used with the same parameters they were "
        f"first used with. Try using a key other than '{key}' if you meant to execute a "
        "different request.",
        type=ErrorType.IDEMPOTENCY,
    )


def _in_use() -> SeikyuError:
    return SeikyuError(
        "There is currently another in-progress request using this Idempotent Key (that "
        "probably means you submitted twice, and the other request is still going through): "
        "retry this request later.",
        type=ErrorType.IDEMPOTENCY,
        kind=Kind.CONFLICT,
        code="idempotency_key_in_use",
    )
