"""/v1/invoices/search"""

from __future__ import annotations

from typing import Any

from seikyu.api.params import SearchParams
from seikyu.api.render.invoice import render_invoice
from seikyu.api.routing import Call, Router
from seikyu.api.search import run_search
from seikyu.billing import invoice_search as service

router = Router()


@router.get("/v1/invoices/search", SearchParams)
def search(call: Call[SearchParams]) -> dict[str, Any]:
    return run_search(call, service.search_fields(), service.search, service.count, render_invoice)
