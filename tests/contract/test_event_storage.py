"""How events are stored: an event's object comes back exactly as it was rendered, key order
included, and on PostgreSQL it is kept as `json` compressed with lz4 (where the server has
it), which writes several times faster than `jsonb` with pglz."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import text

from seikyu.db.uow import Database
from tests.conftest import TestAccount
from tests.support.server import ServerProcess


def test_an_events_object_keeps_the_order_its_resource_is_rendered_in(
    server: ServerProcess, account: TestAccount
) -> None:
    auth = (account.secret, "")
    created = httpx.post(
        f"{server.url}/v1/customers",
        data={"email": "order@example.com", "metadata[zeta]": "1", "metadata[a]": "2"},
        auth=auth,
    )
    assert created.status_code == 200
    customer = json.loads(created.text)
    events = httpx.get(f"{server.url}/v1/events", params={"type": "customer.created"}, auth=auth)
    assert events.status_code == 200
    (event,) = json.loads(events.text)["data"]
    stored = event["data"]["object"]
    assert stored == customer
    assert list(stored) == list(customer)
    assert list(stored["metadata"]) == ["zeta", "a"]


def test_event_objects_are_json_compressed_with_lz4_on_postgres(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("PostgreSQL storage only")
    with db.engine.connect() as conn:
        kind = conn.scalar(
            text(
                "SELECT data_type FROM information_schema.columns"
                " WHERE table_name = 'events' AND column_name = 'data'"
            )
        )
        methods = conn.scalar(
            text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        )
        compression = conn.scalar(
            text(
                "SELECT attcompression FROM pg_attribute"
                " WHERE attrelid = 'events'::regclass AND attname = 'data'"
            )
        )
    assert kind == "json"
    assert compression == ("l" if "lz4" in methods else "")
