"""`expand[]`: replace ids with the objects they name, up to four levels deep."""

from __future__ import annotations

from typing import Any

from seikyu.api import registry
from seikyu.core.errors import SeikyuError
from seikyu.db.uow import UnitOfWork

MAX_DEPTH = 4
Tree = dict[str, "Tree"]


def expand(uow: UnitOfWork, obj: dict[str, Any], paths: list[str] | None) -> dict[str, Any]:
    if not paths:
        return obj
    tree: Tree = {}
    for index, path in enumerate(paths):
        parts = path.split(".")
        if len(parts) > MAX_DEPTH or any(not part for part in parts):
            raise SeikyuError(
                f"You cannot expand more than {MAX_DEPTH} levels of a property "
                f"or use an empty segment ({path}).",
                param=f"expand[{index}]",
            )
        node = tree
        for part in parts:
            node = node.setdefault(part, {})
    _apply(uow, obj, tree, "")
    return obj


def _apply(uow: UnitOfWork, obj: dict[str, Any], tree: Tree, shown: str) -> None:
    kind = obj.get("object")
    if kind in ("list", "search_result"):
        for key, subtree in tree.items():
            if key == "total_count" and kind == "search_result":
                continue  # computed by the search endpoint when asked for
            if key != "data":
                raise _cannot(shown + key)
            for item in obj["data"]:
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
        if path in spec.includable:
            node[key] = spec.includable[path](uow, root)
            if subtree and isinstance(node[key], dict):
                _apply(uow, node[key], subtree, shown + path + ".")
            continue
        value = node.get(key)
        if path in spec.expandable:
            if isinstance(value, str):
                value = _load(uow, value)
                node[key] = value
            if isinstance(value, dict) and subtree:
                _apply(uow, value, subtree, shown + path + ".")
            continue
        if isinstance(value, dict) and subtree and "object" not in value:
            _apply_fields(uow, spec, root, value, subtree, path + ".", shown)
            continue
        raise _cannot(shown + path)


def _load(uow: UnitOfWork, object_id: str) -> Any:
    spec = registry.by_id(object_id)
    if spec is None:
        return object_id
    entity = spec.load(uow, object_id)
    return object_id if entity is None else spec.render(entity)


def _cannot(path: str) -> SeikyuError:
    return SeikyuError(f"This property cannot be expanded ({path}).", param="expand")
