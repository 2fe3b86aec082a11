"""/v1/charges/search"""

from __future__ import annotations

from typing import Any

from seikyu.api.params import SearchParams
from seikyu.api.render.charge import render_charge
from seikyu.api.routing import Call, Router
from seikyu.api.search import run_search
from seikyu.payments import charge_search as service

router = Router()


@router.get("/v1/charges/search", SearchParams)
def search(call: Call[SearchParams]) -> dict[str, Any]:
    return run_search(call, service.search_fields(), service.search, service.count, render_charge)
