"""Every resource module's router: each module in this package defines `router`."""

from __future__ import annotations

import importlib
import pkgutil

from seikyu.api.routing import Router


def all_routers() -> list[Router]:
    routers = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        router = getattr(loaded, "router", None)
        if isinstance(router, Router):
            routers.append(router)
    return routers
