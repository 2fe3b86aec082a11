"""Form decoding: the bracket notation Stripe's clients send, and what it must reject."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stripe._encode import _api_encode

from seikyu.api.form import MAX_DEPTH, MAX_FIELDS, bracket_path, decode, redact
from seikyu.core.errors import SeikyuError


def sdk_encode(params: dict[str, Any]) -> str:
    """The body the official SDK sends for `params`."""
    return urlencode(list(_api_encode(params)))


# --- nesting ---------------------------------------------------------------------------


def test_plain_pairs_become_strings() -> None:
    assert decode("email=a%40b.com&name=Ann") == {"email": "a@b.com", "name": "Ann"}


def test_brackets_nest_hashes() -> None:
    assert decode("metadata[order]=42&address[city]=Tokyo") == {
        "metadata": {"order": "42"},
        "address": {"city": "Tokyo"},
    }


def test_indexed_brackets_make_an_array_of_hashes() -> None:
    body = "items[0][price]=price_a&items[0][quantity]=2&items[1][price]=price_b"
    assert decode(body) == {"items": [{"price": "price_a", "quantity": "2"}, {"price": "price_b"}]}


def test_indexes_order_the_array_whatever_their_order_in_the_body() -> None:
    assert decode("a[10]=ten&a[2]=two&a[0]=zero") == {"a": ["zero", "two", "ten"]}


def test_gaps_in_indexes_close_up() -> None:
    assert decode("a[0]=x&a[5]=y") == {"a": ["x", "y"]}


def test_empty_brackets_append_to_an_array() -> None:
    assert decode("expand[]=customer&expand[]=data.invoice") == {
        "expand": ["customer", "data.invoice"]
    }


def test_empty_brackets_with_hashes_fill_one_element_until_a_key_repeats() -> None:
    # Rack's reading of `items[][price]`, which curl users write by hand.
    body = "items[][price]=p1&items[][quantity]=1&items[][price]=p2"
    assert decode(body) == {"items": [{"price": "p1", "quantity": "1"}, {"price": "p2"}]}


def test_deep_nesting_keeps_every_level() -> None:
    body = "a[b][0][c][d]=1"
    assert decode(body) == {"a": {"b": [{"c": {"d": "1"}}]}}


def test_non_ascii_digits_are_hash_keys_not_indexes() -> None:
    assert decode("metadata[%C2%B2]=x") == {"metadata": {"²": "x"}}


def test_digit_names_at_the_top_level_are_names() -> None:
    assert decode("0=a&1=b") == {"0": "a", "1": "b"}


def test_mixed_index_and_name_keys_stay_a_hash() -> None:
    # Pydantic then says "must be an array" for the parameter, with its name.
    assert decode("a[0]=x&a[b]=y") == {"a": {"0": "x", "b": "y"}}


# --- values ------------------------------------------------------------------------------


def test_empty_values_are_kept_because_they_mean_clear() -> None:
    assert decode("description=&metadata[k]=&metadata2=") == {
        "description": "",
        "metadata": {"k": ""},
        "metadata2": "",
    }


def test_plus_is_a_space_and_percent_2b_is_a_plus() -> None:
    assert decode("name=Ann+Lee&phone=%2B81") == {"name": "Ann Lee", "phone": "+81"}


def test_percent_encoded_brackets_in_keys_nest_like_literal_ones() -> None:
    assert decode("metadata%5Bk%5D=v") == {"metadata": {"k": "v"}}


def test_unicode_keys_and_values_round_trip() -> None:
    body = urlencode({"metadata[注文]": "請求書 №1 🧾", "name": "Zoë"})
    assert decode(body) == {"metadata": {"注文": "請求書 №1 🧾"}, "name": "Zoë"}


def test_bytes_are_read_as_utf8_and_bad_bytes_do_not_raise() -> None:
    assert decode(b"name=%E6%97%A5") == {"name": "日"}
    assert decode(b"name=%E6%97") == {"name": "\ufffd"}
    assert decode(b"name=\xff\xfe") == {"name": "\ufffd\ufffd"}


def test_a_repeated_plain_key_keeps_the_last_value() -> None:
    assert decode("name=a&name=b") == {"name": "b"}


def test_nameless_pairs_are_ignored() -> None:
    assert decode("=x&&name=a&") == {"name": "a"}


def test_ampersand_inside_a_value_is_encoded_and_survives() -> None:
    assert decode("description=a%26b%3Dc") == {"description": "a&b=c"}


def test_semicolons_do_not_separate_pairs() -> None:
    assert decode("description=a;b") == {"description": "a;b"}


# --- rejections --------------------------------------------------------------------------


def _rejects(body: str) -> SeikyuError:
    with pytest.raises(SeikyuError) as caught:
        decode(body)
    assert caught.value.type.value == "invalid_request_error"
    return caught.value


def test_a_value_then_a_hash_under_the_same_name_conflict() -> None:
    error = _rejects("a=1&a[b]=2")
    assert error.param == "a[b]"


def test_a_hash_then_a_value_under_the_same_name_conflict() -> None:
    error = _rejects("a[b]=2&a=1")
    assert error.param == "a"


def test_an_array_then_a_named_member_conflict() -> None:
    assert _rejects("a[]=1&a[b]=2").param == "a[b]"


def test_a_hash_then_an_append_conflict() -> None:
    assert _rejects("a[b]=1&a[]=2").param == "a[]"


def test_unbalanced_brackets_are_an_invalid_name() -> None:
    assert _rejects("a[b=1").param == "a[b"
    assert _rejects("a]=1").param == "a]"
    assert _rejects("[a]=1").param == "[a]"


def test_text_after_brackets_is_an_invalid_name() -> None:
    assert _rejects("a[b]c=1").param == "a[b]c"


def test_arrays_of_arrays_need_indexes() -> None:
    assert _rejects("a[][]=1").param == "a[][]"


def test_null_bytes_are_refused_in_values_and_names() -> None:
    assert _rejects("name=a%00b").param == "name"
    assert _rejects("na%00me=x").param == "name"


def test_nesting_past_the_limit_is_refused() -> None:
    key = "a" + "[b]" * MAX_DEPTH
    assert _rejects(f"{key}=1").param == key
    assert decode("a" + "[b]" * (MAX_DEPTH - 1) + "=1")


def test_too_many_fields_are_refused() -> None:
    body = "&".join(f"metadata[k{i}]=v" for i in range(MAX_FIELDS + 1))
    error = _rejects(body)
    assert "at most" in error.message


# --- paths and redaction ------------------------------------------------------------------


def test_bracket_path_names_params_the_way_stripe_does() -> None:
    assert bracket_path(("items", 0, "price")) == "items[0][price]"
    assert bracket_path(["metadata"]) == "metadata"
    assert bracket_path(()) == ""


def test_redact_replaces_card_numbers_and_cvcs_at_any_depth() -> None:
    params = {
        "card": {"number": "4242424242424242", "cvc": "123", "exp_month": "12"},
        "payment_method_data": [{"card": {"number": "4000000000000002"}}],
        "name": "Ann",
    }
    assert redact(params) == {
        "card": {"number": "[REDACTED]", "cvc": "[REDACTED]", "exp_month": "12"},
        "payment_method_data": [{"card": {"number": "[REDACTED]"}}],
        "name": "Ann",
    }
    assert params["card"]["number"] == "4242424242424242"  # the original is untouched


# --- round trip with the SDK's own encoder ------------------------------------------------

names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="[]\x00"), min_size=1, max_size=8
).filter(lambda s: not (s.isascii() and s.isdigit()))
values = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
leaf_hashes = st.dictionaries(names, values, min_size=1, max_size=4)
params_strategy = st.dictionaries(
    names,
    st.one_of(
        values,
        leaf_hashes,
        st.lists(values, min_size=1, max_size=4),
        st.lists(leaf_hashes, min_size=1, max_size=3),
        st.dictionaries(names, leaf_hashes, min_size=1, max_size=3),
    ),
    max_size=5,
)


@given(params_strategy)
def test_whatever_the_sdk_encodes_decodes_to_the_same_params(params: dict[str, Any]) -> None:
    assert decode(sdk_encode(params)) == params


@given(st.binary(max_size=200))
def test_arbitrary_bytes_decode_or_fail_with_a_stripe_error(raw: bytes) -> None:
    try:
        decoded: object = decode(raw)
    except SeikyuError as error:
        decoded = error
    if isinstance(decoded, SeikyuError):
        assert decoded.code is None or decoded.code.startswith("parameter")
    else:
        assert isinstance(decoded, dict)
