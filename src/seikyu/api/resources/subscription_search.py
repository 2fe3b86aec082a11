"""/v1/subscriptions/search"""

from __future__ import annotations

from typing import Any

from seikyu.api.params import SearchParams
from seikyu.api.render.subscription import render_subscription
from seikyu.api.routing import Call, Router
from seikyu.api.search import run_search
from seikyu.billing import subscription_search as service

router = Router()


@router.get("/v1/subscriptions/search", SearchParams)
def search(call: Call[SearchParams]) -> dict[str, Any]:
    return run_search(
        call, service.search_fields(), service.search, service.count, render_subscription
    )
