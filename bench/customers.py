"""The customer workload: the same create and retrieve requests for every server."""

from __future__ import annotations

import json
import random
import uuid
from urllib.parse import urlencode

from httpclient import Connection
from loadgen import RequestFailed

FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def stripe_version() -> str | None:
    """The API version the pinned official SDK sends, so requests look like its."""
    try:
        import stripe
    except ImportError:
        return None
    version = getattr(stripe, "api_version", None)
    return version if isinstance(version, str) else None


class CustomerWorkload:
    """Creates customers, remembers their ids and retrieves them at random.

    One instance per server: its ``ids`` are the customers that server holds.
    The random retrieve order comes from a fixed seed, so every server gets the
    same pattern of lookups.
    """

    def __init__(self, seed: int = 1234) -> None:
        self.ids: list[str] = []
        self._created = 0
        self._rng = random.Random(seed)
        self._retrieve_order: list[str] = []
        version = stripe_version()
        self._extra_headers = {"Stripe-Version": version} if version else {}

    @property
    def count(self) -> int:
        return len(self.ids)

    def _next_body(self) -> bytes:
        n = self._created
        self._created += 1
        return urlencode(
            {
                "email": f"bench.customer{n}@example.com",
                "name": f"Bench Customer {n}",
                "metadata[plan]": "pro",
            }
        ).encode()

    async def create(self, conn: Connection, _i: int) -> None:
        """POST /v1/customers with a fresh Idempotency-Key, as the SDK does."""
        headers = {**FORM_HEADERS, **self._extra_headers, "Idempotency-Key": str(uuid.uuid4())}
        response = await conn.post("/v1/customers", content=self._next_body(), headers=headers)
        if response.status_code != 200:
            raise RequestFailed(f"create: HTTP {response.status_code}: {response.text[:200]}")
        try:
            customer_id = json.loads(response.content).get("id")
        except (ValueError, AttributeError) as exc:
            raise RequestFailed(f"create: not a JSON object: {response.text[:200]}") from exc
        if not isinstance(customer_id, str) or not customer_id.startswith("cus_"):
            raise RequestFailed(f"create: no customer id in {response.text[:200]}")
        self.ids.append(customer_id)

    def plan_retrieves(self, count: int) -> None:
        """Pick ``count`` ids uniformly among the customers that exist now."""
        self._retrieve_order = [self._rng.choice(self.ids) for _ in range(count)]

    async def retrieve(self, conn: Connection, i: int) -> None:
        """GET /v1/customers/{id}; the body must be that customer."""
        customer_id = self._retrieve_order[i]
        response = await conn.get(f"/v1/customers/{customer_id}", headers=self._extra_headers)
        if response.status_code != 200:
            raise RequestFailed(f"retrieve: HTTP {response.status_code}: {response.text[:200]}")
        # A byte search instead of a JSON parse keeps the client's own CPU cost
        # (which shares these two cores with the server) low.
        if f'"{customer_id}"'.encode() not in response.content:
            raise RequestFailed(f"retrieve: body is not {customer_id}: {response.text[:200]}")
