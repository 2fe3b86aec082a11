"""`expand[]`: replace ids with the objects they name, up to four levels deep.

A path walks the rendered object: `customer` on a charge, `data.customer` on a list of
charges, `invoice.subscription.default_payment_method` through objects it expanded on the
way, `lines.data.price` through a list embedded in an object, and `discounts` over an array
of ids. Each object type says which of its paths hold expandable ids (see `registry`).
"""

from __future__ import annotations

from typing import Any

from seikyu.api import registry
from seikyu.core.errors import SeikyuError
from seikyu.db.uow import UnitOfWork

MAX_DEPTH = 4
LISTS = ("list", "search_result")
Tree = dict[str, "Tree"]


def expand(uow: UnitOfWork, obj: dict[str, Any], paths: list[str] | None) -> dict[str, Any]:
    if not paths:
        return obj
    _apply(uow, obj, parse(paths), "")
    return obj


def parse(paths: list[str]) -> Tree:
    """Merge the requested paths into one tree, so shared prefixes load once."""
    tree: Tree = {}
    for index, path in enumerate(paths):
        parts = path.split(".")
        if any(not part for part in parts):
            raise SeikyuError(f"Invalid expand path: '{path}'.", param=f"expand[{index}]")
        if len(parts) > MAX_DEPTH:
            raise SeikyuError(
                f"You cannot expand more than {MAX_DEPTH} levels of a property. Property: {path}",
                param=f"expand[{index}]",
            )
        node = tree
        for part in parts:
            node = node.setdefault(part, {})
    return tree


def _apply(uow: UnitOfWork, obj: dict[str, Any], tree: Tree, shown: str) -> None:
    kind = obj.get("object")
    if kind in LISTS:
        for key, subtree in tree.items():
            if key == "total_count" and kind == "search_result":
                continue  # computed by the search endpoint when asked for
            if key != "data":
                raise _cannot(shown + key)
            for item in obj.get("data") or []:
                if isinstance(item, dict):
                    _apply(uow, item, subtree, shown + "data.")
        return
    spec = registry.by_name(str(kind))
    if spec is None:
        raise _cannot(shown + next(iter(tree)))
    _apply_fields(uow, spec, obj, obj, tree, "", shown)


def _apply_fields(
    uow: UnitOfWork,
    spec: registry.ObjectSpec,
    root: dict[str, Any],
    node: dict[str, Any],
    tree: Tree,
    relative: str,
    shown: str,
) -> None:
    for key, subtree in tree.items():
        path = relative + key
        value = node.get(key)
        if path in spec.includable:
            node[key] = value = spec.includable[path](uow, root)
        elif path in spec.expandable:
            if key in node:  # a deleted object's stub has no fields to expand
                node[key] = value = _load_all(uow, value)
        elif not subtree or not (_is_object(value) or _leads_to_expandable(spec, path)):
            # Embedded lists and objects (`lines` on an invoice) and hashes on the way to an
            # expandable field may be walked through, but are not expandable themselves.
            raise _cannot(shown + path)
        if subtree:
            _descend(uow, spec, root, value, subtree, path, shown)


def _descend(
    uow: UnitOfWork,
    spec: registry.ObjectSpec,
    root: dict[str, Any],
    value: Any,
    subtree: Tree,
    path: str,
    shown: str,
) -> None:
    """Continue below `path`: into an object, a list object, or each element of an array."""
    if isinstance(value, list):
        for item in value:
            _descend(uow, spec, root, item, subtree, path, shown)
    elif _is_object(value):
        _apply(uow, value, subtree, shown + path + ".")
    elif isinstance(value, dict):
        # A hash inside the object (`invoice_settings`): its paths belong to the parent.
        _apply_fields(uow, spec, root, value, subtree, path + ".", shown)
    # Anything else is null or an id that named nothing: Stripe leaves it as it is.


def _is_object(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    kind = value.get("object")
    return kind in LISTS or (isinstance(kind, str) and registry.by_name(kind) is not None)


def _leads_to_expandable(spec: registry.ObjectSpec, path: str) -> bool:
    """Whether `path` is a hash on the way to an expandable field, whatever its value now."""
    prefix = path + "."
    return any(p.startswith(prefix) for p in (*spec.expandable, *spec.includable))


def _load_all(uow: UnitOfWork, value: Any) -> Any:
    if isinstance(value, str):
        return _load(uow, value)
    if isinstance(value, list):
        return [_load(uow, item) if isinstance(item, str) else item for item in value]
    return value


def _load(uow: UnitOfWork, object_id: str) -> Any:
    spec = registry.by_id(object_id)
    if spec is None:
        return object_id
    entity = spec.load(uow, object_id)
    return object_id if entity is None else spec.render(entity)


def _cannot(path: str) -> SeikyuError:
    return SeikyuError(f"This property cannot be expanded ({path}).", param="expand")
