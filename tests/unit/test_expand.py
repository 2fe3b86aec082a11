"""`expand[]` over a small made-up object graph: nesting, lists, arrays, limits, errors.

order -> part -> supplier -> country -> region, plus an embedded list of lines, an array of
part ids, a hash holding a part id and an array of hashes holding part ids.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

import pytest

from seikyu.api import registry
from seikyu.api.expand import MAX_DEPTH, expand
from seikyu.core.errors import SeikyuError
from seikyu.db.uow import UnitOfWork

UOW = cast(UnitOfWork, object())  # the loaders below never touch it
loads: Counter[str] = Counter()

STORE: dict[str, dict[str, Any]] = {
    "zzreg_1": {"id": "zzreg_1", "object": "zz_region", "name": "Kanto"},
    "zzctry_1": {"id": "zzctry_1", "object": "zz_country", "region": "zzreg_1"},
    "zzsup_1": {"id": "zzsup_1", "object": "zz_supplier", "country": "zzctry_1"},
    "zzsup_2": {"id": "zzsup_2", "object": "zz_supplier", "country": None},
    "zzpart_1": {"id": "zzpart_1", "object": "zz_part", "supplier": "zzsup_1"},
    "zzpart_2": {"id": "zzpart_2", "object": "zz_part", "supplier": "zzsup_2"},
}


def _load(_uow: UnitOfWork, object_id: str) -> dict[str, Any] | None:
    loads[object_id] += 1
    return STORE.get(object_id)


def _spec(name: str, prefix: str, expandable: set[str], **more: Any) -> None:
    registry.register(
        registry.ObjectSpec(
            name=name,
            prefix=prefix,
            model=type(name, (), {}),
            render=dict,
            load=_load,
            expandable=frozenset(expandable),
            **more,
        )
    )


_spec("zz_region", "zzreg", set())
_spec("zz_country", "zzctry", {"region"})
_spec("zz_supplier", "zzsup", {"country"})
_spec("zz_part", "zzpart", {"supplier"})
_spec("zz_line", "zzline", {"part"})
_spec(
    "zz_order",
    "zzord",
    {"part", "parts", "settings.default_part", "amounts.part", "missing_part", "no_part"},
    includable={"weight_report": lambda _uow, order: {"order": order["id"], "grams": 42}},
)


def order() -> dict[str, Any]:
    return {
        "id": "zzord_1",
        "object": "zz_order",
        "note": "fragile",
        "part": "zzpart_1",
        "parts": ["zzpart_1", "zzpart_2"],
        "settings": {"default_part": "zzpart_2", "note": "x"},
        "amounts": [{"amount": 5, "part": "zzpart_1"}, {"amount": 7, "part": "zzpart_2"}],
        "lines": {
            "object": "list",
            "data": [{"id": "zzline_1", "object": "zz_line", "part": "zzpart_1"}],
            "has_more": False,
            "url": "/v1/orders/zzord_1/lines",
        },
        "missing_part": "zzpart_404",
        "no_part": None,
        "stranger": "cus_notregisteredhere",
    }


def expanded(paths: list[str], obj: dict[str, Any] | None = None) -> dict[str, Any]:
    return expand(UOW, obj if obj is not None else order(), paths)


def refused(paths: list[str], obj: dict[str, Any] | None = None) -> SeikyuError:
    with pytest.raises(SeikyuError) as caught:
        expanded(paths, obj)
    assert caught.value.type.value == "invalid_request_error"
    return caught.value


@pytest.fixture(autouse=True)
def _count_from_zero() -> None:
    loads.clear()


def test_no_expand_leaves_the_object_alone() -> None:
    assert expanded([]) == order()


def test_one_level_replaces_the_id_with_the_object() -> None:
    result = expanded(["part"])
    assert result["part"] == STORE["zzpart_1"]
    assert result["parts"] == ["zzpart_1", "zzpart_2"]


def test_four_levels_follow_each_expanded_object() -> None:
    result = expanded(["part.supplier.country.region"])
    assert result["part"]["supplier"]["country"]["region"] == STORE["zzreg_1"]


def test_more_than_four_levels_is_refused_naming_the_path() -> None:
    deep = "part.supplier.country.region.name"
    error = refused(["part", deep])
    assert error.param == "expand[1]"
    assert deep in error.message
    assert MAX_DEPTH == 4


@pytest.mark.parametrize("path", ["", "part.", ".part", "part..supplier"])
def test_empty_segments_are_refused(path: str) -> None:
    assert refused([path]).param == "expand[0]"


def test_a_field_that_holds_no_id_cannot_be_expanded() -> None:
    error = refused(["note"])
    assert error.message == "This property cannot be expanded (note)."
    assert error.param == "expand"


def test_a_field_that_does_not_exist_cannot_be_expanded() -> None:
    assert refused(["colour"]).message == "This property cannot be expanded (colour)."


def test_an_unexpandable_field_of_an_expanded_object_is_named_by_its_full_path() -> None:
    error = refused(["part.supplier.name"])
    assert error.message == "This property cannot be expanded (part.supplier.name)."


def test_a_hash_on_the_way_is_not_itself_expandable() -> None:
    assert refused(["settings"]).message == "This property cannot be expanded (settings)."
    assert refused(["settings.note"]).message == (
        "This property cannot be expanded (settings.note)."
    )


def test_an_id_inside_a_hash() -> None:
    assert expanded(["settings.default_part"])["settings"]["default_part"] == STORE["zzpart_2"]


def test_an_array_of_ids_expands_each() -> None:
    assert expanded(["parts"])["parts"] == [STORE["zzpart_1"], STORE["zzpart_2"]]


def test_an_array_of_hashes_expands_the_field_in_each() -> None:
    amounts = expanded(["amounts.part.supplier"])["amounts"]
    assert [a["part"]["supplier"]["id"] for a in amounts] == ["zzsup_1", "zzsup_2"]
    assert [a["amount"] for a in amounts] == [5, 7]


def test_an_embedded_list_is_walked_through_its_data() -> None:
    line = expanded(["lines.data.part"])["lines"]["data"][0]
    assert line["part"] == STORE["zzpart_1"]


def test_an_embedded_list_needs_data_in_the_path() -> None:
    assert refused(["lines.part"]).message == "This property cannot be expanded (lines.part)."


def test_a_list_expands_each_item_through_data() -> None:
    page = {"object": "list", "data": [order(), order()], "has_more": False, "url": "/v1/x"}
    result = expanded(["data.part.supplier"], page)
    assert [item["part"]["supplier"]["id"] for item in result["data"]] == ["zzsup_1"] * 2


def test_a_list_path_must_start_with_data() -> None:
    page = {"object": "list", "data": [order()], "has_more": False, "url": "/v1/x"}
    assert refused(["part"], page).message == "This property cannot be expanded (part)."


def test_a_list_item_error_names_the_whole_path() -> None:
    page = {"object": "list", "data": [order()], "has_more": False, "url": "/v1/x"}
    assert refused(["data.note"], page).message == ("This property cannot be expanded (data.note).")


def test_an_empty_list_still_checks_the_first_segment() -> None:
    page = {"object": "list", "data": [], "has_more": False, "url": "/v1/x"}
    assert expanded(["data.part"], page)["data"] == []
    assert refused(["part"], page).param == "expand"


def test_search_results_may_ask_for_total_count() -> None:
    page = {"object": "search_result", "data": [order()], "has_more": False, "url": "/v1/x"}
    assert expanded(["total_count", "data.part"], page)["data"][0]["part"]["id"] == "zzpart_1"


def test_a_null_field_stays_null_at_any_depth() -> None:
    result = expanded(["no_part.supplier", "part.supplier.country.region"])
    assert result["no_part"] is None
    two = expanded(["settings.default_part.supplier.country"])
    assert two["settings"]["default_part"]["supplier"]["country"] is None


def test_an_id_that_names_nothing_stays_an_id() -> None:
    assert expanded(["missing_part.supplier"])["missing_part"] == "zzpart_404"


def test_includable_fields_appear_only_when_asked() -> None:
    assert "weight_report" not in expanded(["part"])
    assert expanded(["weight_report"])["weight_report"] == {"order": "zzord_1", "grams": 42}


def test_a_deleted_objects_stub_gains_no_fields() -> None:
    stub = {"id": "zzord_9", "object": "zz_order", "deleted": True}
    assert expanded(["part.supplier"], dict(stub)) == stub


def test_shared_prefixes_load_each_object_once() -> None:
    expanded(["part", "part.supplier", "part.supplier.country"])
    assert loads["zzpart_1"] == 1
    assert loads["zzsup_1"] == 1


def test_an_object_of_an_unknown_type_cannot_be_expanded() -> None:
    assert refused(["x"], {"id": "x_1", "object": "mystery"}).message == (
        "This property cannot be expanded (x)."
    )
