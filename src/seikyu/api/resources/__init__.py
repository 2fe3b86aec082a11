"""Every resource module's router. A new resource adds its module here."""

from __future__ import annotations

from seikyu.api.routing import Router


def all_routers() -> list[Router]:
    from seikyu.api.resources import customers, events

    return [customers.router, events.router]
