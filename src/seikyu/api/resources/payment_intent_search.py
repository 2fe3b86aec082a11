"""/v1/payment_intents/search"""

from __future__ import annotations

from typing import Any

from seikyu.api.params import SearchParams
from seikyu.api.render.payment_intent import render_payment_intent
from seikyu.api.routing import Call, Router
from seikyu.api.search import run_search
from seikyu.payments import payment_intent_search as service

router = Router()


@router.get("/v1/payment_intents/search", SearchParams)
def search(call: Call[SearchParams]) -> dict[str, Any]:
    return run_search(
        call, service.search_fields(), service.search, service.count, render_payment_intent
    )
