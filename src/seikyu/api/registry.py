"""What the API knows about each object type: how to render it, load it and expand it.

Resource modules register their objects; expansion and event rendering look them up here,
by object name, id prefix or model class. The first lookup imports every resource module,
so a process that records events without serving HTTP (a worker, a script, a test) renders
them the same way the API does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from seikyu.db.uow import UnitOfWork


@dataclass(frozen=True)
class ObjectSpec:
    name: str  # Stripe's `object` value, e.g. "customer"
    prefix: str  # id prefix without the underscore, e.g. "cus"
    model: type
    render: Callable[[Any], dict[str, Any]]
    load: Callable[[UnitOfWork, str], Any | None]
    # Dotted paths inside the rendered object whose id values `expand[]` may replace.
    expandable: frozenset[str] = frozenset()
    # Fields absent unless asked for with `expand[]` (Stripe's "includable" fields).
    includable: Mapping[str, Callable[[UnitOfWork, dict[str, Any]], Any]] = field(
        default_factory=dict
    )


_by_name: dict[str, ObjectSpec] = {}
_by_prefix: dict[str, ObjectSpec] = {}
_by_model: dict[type, ObjectSpec] = {}
_discovery = threading.Lock()
_discovered = False


def register(spec: ObjectSpec) -> ObjectSpec:
    _by_name[spec.name] = spec
    _by_prefix[spec.prefix] = spec
    _by_model[spec.model] = spec
    return spec


def _discover() -> None:
    global _discovered  # noqa: PLW0603 -- set once, under the lock
    if _discovered:
        return
    with _discovery:
        if not _discovered:
            from seikyu.api.resources import all_routers

            all_routers()
            _discovered = True


def by_name(name: str) -> ObjectSpec | None:
    _discover()
    return _by_name.get(name)


def by_id(object_id: str) -> ObjectSpec | None:
    """The longest registered prefix wins, so `sub_sched_` is not taken for `sub_`."""
    _discover()
    best: ObjectSpec | None = None
    for prefix, spec in _by_prefix.items():
        if object_id.startswith(prefix + "_") and (best is None or len(prefix) > len(best.prefix)):
            best = spec
    return best


def render(entity: Any) -> dict[str, Any]:
    """Render any registered model instance: the event recorder's renderer."""
    _discover()
    spec = _by_model.get(type(entity))
    if spec is None:
        raise LookupError(f"no renderer registered for {type(entity).__name__}")
    return spec.render(entity)
