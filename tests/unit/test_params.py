"""Parameter models: how validation failures become Stripe's errors, one at a time."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field

from seikyu.api.form import decode
from seikyu.api.params import (
    Expandable,
    ListParams,
    Metadata,
    Params,
    RangeFilter,
    parse,
)
from seikyu.core.errors import SeikyuError


class Item(Params):
    price: str
    quantity: Annotated[int, Field(ge=1, le=10_000)] | None = None


class Address(Params):
    city: Annotated[str, Field(max_length=10)] | None = None
    country: str | None = None


class Sample(Expandable):
    """A resource's params, with each kind of field the wire rules cover."""

    items: Annotated[list[Item], Field(max_length=3)] | None = None
    address: Address | None = None
    metadata: Metadata | None = None
    behavior: Literal["create_prorations", "none", "always_invoice"] | None = None
    collection: Literal["charge_automatically", "send_invoice"] | None = None
    description: Annotated[str, Field(max_length=20)] | None = None
    amount: int | None = None
    unit_amount_decimal: Decimal | None = None
    livemode_only: bool | None = None
    currency: str = "usd"
    tags: list[str] | None = None


class Required(Params):
    customer: str
    amount: int


def error_for(model: type[Params], body: str) -> SeikyuError:
    with pytest.raises(SeikyuError) as caught:
        parse(model, decode(body))
    assert caught.value.type.value == "invalid_request_error"
    assert caught.value.kind.value == "invalid"
    return caught.value


def parsed(model: type[Params], body: str) -> dict[str, Any]:
    return parse(model, decode(body)).model_dump(exclude_unset=True)


# --- unknown and missing -------------------------------------------------------------------


def test_unknown_top_level_param() -> None:
    error = error_for(Sample, "colour=red")
    assert (error.code, error.param) == ("parameter_unknown", "colour")
    assert error.message == "Received unknown parameter: colour"


def test_unknown_param_inside_an_array_element_is_named_by_its_full_path() -> None:
    error = error_for(Sample, "items[0][price]=p&items[1][price]=q&items[1][colour]=red")
    assert (error.code, error.param) == ("parameter_unknown", "items[1][colour]")


def test_unknown_param_inside_a_hash() -> None:
    error = error_for(Sample, "address[planet]=mars")
    assert error.param == "address[planet]"


def test_missing_param_names_the_array_element() -> None:
    error = error_for(Sample, "items[0][price]=p&items[1][quantity]=2")
    assert (error.code, error.param) == ("parameter_missing", "items[1][price]")
    assert error.message == "Missing required param: items[1][price]."


def test_unknown_params_are_reported_before_missing_ones() -> None:
    error = error_for(Required, "amount=1&colour=red")
    assert error.code == "parameter_unknown"


def test_unknown_params_are_reported_before_badly_spelled_values() -> None:
    assert error_for(Sample, "amount=abc&colour=red").code == "parameter_unknown"
    assert error_for(Sample, "currency=&colour=red").code == "parameter_unknown"
    assert error_for(Sample, "items[0][quantity]=x&items[0][colour]=red").param == (
        "items[0][colour]"
    )


def test_missing_params_are_reported_before_invalid_ones() -> None:
    error = error_for(Required, "amount=abc")
    assert (error.code, error.param) == ("parameter_missing", "customer")


# --- wrong types ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "1.0", "1.5", "1e3", " 1", "0x10", "\uff11"])
def test_integers_must_be_spelled_as_integers(value: str) -> None:
    error = error_for(Sample, f"amount={value}")
    assert (error.code, error.param) == ("parameter_invalid_integer", "amount")
    assert error.message == f"Invalid integer: {value}"


def test_integers_accept_signs_and_leading_zeros() -> None:
    assert parsed(Sample, "amount=-5")["amount"] == -5
    assert parsed(Sample, "amount=%2B7")["amount"] == 7
    assert parsed(Sample, "amount=007")["amount"] == 7


def test_integers_past_64_bits_are_invalid_not_a_crash() -> None:
    error = error_for(Sample, "amount=9223372036854775808")
    assert error.code == "parameter_invalid_integer"
    assert parsed(Sample, "amount=9223372036854775807")["amount"] == 2**63 - 1


def test_integer_errors_inside_arrays_name_the_element() -> None:
    error = error_for(Sample, "items[0][price]=p&items[0][quantity]=lots")
    assert (error.code, error.param) == ("parameter_invalid_integer", "items[0][quantity]")


def test_integer_bounds_use_stripes_wording() -> None:
    low = error_for(Sample, "items[0][price]=p&items[0][quantity]=0")
    assert low.message == "This value must be greater than or equal to 1."
    assert (low.code, low.param) == ("parameter_invalid_integer", "items[0][quantity]")
    high = error_for(Sample, "items[0][price]=p&items[0][quantity]=10001")
    assert high.message == "This value must be less than or equal to 10000."


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", "1e", "1e999", "1,5", "--1"])
def test_decimals_must_be_decimal_strings(value: str) -> None:
    error = error_for(Sample, f"unit_amount_decimal={value}")
    assert (error.code, error.param) == ("parameter_invalid_decimal", "unit_amount_decimal")


def test_a_decimal_in_exponent_form_is_read_as_python_writes_it() -> None:
    assert parsed(Sample, "unit_amount_decimal=1E-7")["unit_amount_decimal"] == Decimal("1E-7")


def test_decimals_are_kept_exactly() -> None:
    assert parsed(Sample, "unit_amount_decimal=0.0000000001")["unit_amount_decimal"] == Decimal(
        "0.0000000001"
    )


@pytest.mark.parametrize("value", ["yes", "1", "True", "on", "t"])
def test_booleans_are_true_or_false_only(value: str) -> None:
    error = error_for(Sample, f"livemode_only={value}")
    assert (error.code, error.param) == ("parameter_invalid_boolean", "livemode_only")
    assert error.message == f"Invalid boolean: {value}"


def test_booleans_read_true_and_false() -> None:
    assert parsed(Sample, "livemode_only=true")["livemode_only"] is True
    assert parsed(Sample, "livemode_only=false")["livemode_only"] is False


def test_enum_errors_list_the_choices_stripes_way() -> None:
    error = error_for(Sample, "behavior=sometimes")
    assert error.param == "behavior"
    assert error.message == (
        "Invalid behavior: must be one of create_prorations, none, or always_invoice"
    )
    two = error_for(Sample, "collection=cash")
    assert two.message == "Invalid collection: must be one of charge_automatically or send_invoice"


def test_a_string_where_a_hash_belongs() -> None:
    error = error_for(Sample, "address=Tokyo")
    assert (error.code, error.param) == ("parameter_invalid_hash", "address")


def test_a_hash_where_a_string_belongs() -> None:
    error = error_for(Sample, "description[a]=b")
    assert (error.code, error.param) == ("parameter_invalid_string", "description")


def test_a_string_where_an_array_belongs() -> None:
    error = error_for(Sample, "tags=a")
    assert (error.code, error.param) == ("parameter_invalid_array", "tags")


def test_too_many_array_elements() -> None:
    body = "&".join(f"items[{i}][price]=p" for i in range(4))
    error = error_for(Sample, body)
    assert (error.code, error.param) == ("parameter_invalid_array", "items")
    assert "at most 3" in error.message


def test_string_too_long_shows_the_start_and_the_limit() -> None:
    error = error_for(Sample, "address[city]=" + "x" * 11)
    assert (error.code, error.param) == ("parameter_invalid_string_too_long", "address[city]")
    assert error.message == "Invalid string: xxxxxxxxxxx...; must be at most 10 characters"


def test_every_string_has_a_ceiling_even_without_a_declared_one() -> None:
    error = error_for(Sample, "address[country]=" + "x" * 5001)
    assert error.code == "parameter_invalid_string_too_long"


# --- empty strings -------------------------------------------------------------------------


def test_empty_string_clears_an_optional_field() -> None:
    params = parse(Sample, decode("description=&address="))
    assert params.description is None
    assert params.address is None
    assert params.given("description")
    assert not params.given("amount")


def test_empty_string_on_a_field_that_cannot_be_cleared() -> None:
    error = error_for(Sample, "currency=")
    assert (error.code, error.param) == ("parameter_invalid_empty", "currency")
    assert "cannot be unset" in error.message


def test_empty_string_on_a_required_field_inside_an_array() -> None:
    error = error_for(Sample, "items[0][price]=")
    assert (error.code, error.param) == ("parameter_invalid_empty", "items[0][price]")


# --- metadata ------------------------------------------------------------------------------


def test_metadata_keys_and_unsets_pass_through() -> None:
    assert parsed(Sample, "metadata[a]=1&metadata[b]=")["metadata"] == {"a": "1", "b": ""}


def test_metadata_empty_string_clears_all_keys() -> None:
    assert parsed(Sample, "metadata=")["metadata"] is None


def test_metadata_allows_exactly_the_limits() -> None:
    body = "&".join(f"metadata[{'k' * 38}{i:02d}]={'v' * 500}" for i in range(50))
    assert len(parsed(Sample, body)["metadata"]) == 50


def test_metadata_51_keys() -> None:
    body = "&".join(f"metadata[k{i}]=v" for i in range(51))
    error = error_for(Sample, body)
    assert error.param == "metadata"
    assert error.message == "Metadata can have up to 50 keys, but you've set 51."


def test_metadata_key_of_41_characters() -> None:
    key = "k" * 41
    error = error_for(Sample, f"metadata[{key}]=v")
    assert error.param == "metadata"
    assert error.message == (
        "Metadata keys can have up to 40 characters, but you passed in a key that is "
        f"41 characters. Invalid key: {key}"
    )


@pytest.mark.parametrize("length", [501, 6000])
def test_metadata_value_too_long(length: int) -> None:
    error = error_for(Sample, f"metadata[k]={'v' * length}")
    assert error.param == "metadata"
    assert error.message.startswith(
        "Metadata values can have up to 500 characters, but you passed in a value that is "
        f"{length} characters."
    )


def test_metadata_values_must_be_strings() -> None:
    error = error_for(Sample, "metadata[a][b]=c")
    assert (error.code, error.param) == ("parameter_invalid_string", "metadata[a]")


# --- list params ---------------------------------------------------------------------------


def test_list_defaults() -> None:
    params = parse(ListParams, {})
    assert (params.limit, params.starting_after, params.ending_before) == (10, None, None)


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("0", "This value must be greater than or equal to 1."),
        ("101", "This value must be less than or equal to 100."),
        ("-1", "This value must be greater than or equal to 1."),
        ("abc", "Invalid integer: abc"),
        ("10.0", "Invalid integer: 10.0"),
    ],
)
def test_limit_outside_1_to_100(limit: str, message: str) -> None:
    error = error_for(ListParams, f"limit={limit}")
    assert (error.code, error.param, error.message) == (
        "parameter_invalid_integer",
        "limit",
        message,
    )


def test_starting_after_and_ending_before_together() -> None:
    error = error_for(ListParams, "starting_after=cus_a&ending_before=cus_b")
    assert error.message == (
        "Received both starting_after and ending_before parameters. Please pass in only one."
    )
    assert error.param is None
    assert "param" not in error.body()


def test_created_exact_second_is_a_closed_range() -> None:
    assert parse(ListParams, decode("created=1700000000")).created == RangeFilter(
        gte=1700000000, lte=1700000000
    )


def test_created_operators() -> None:
    created = parse(ListParams, decode("created[gt]=1&created[lte]=5")).created
    assert created == RangeFilter(gt=1, lte=5)


def test_created_not_an_integer_names_created() -> None:
    error = error_for(ListParams, "created=yesterday")
    assert (error.code, error.param) == ("parameter_invalid_integer", "created")


def test_created_operator_not_an_integer_names_the_operator() -> None:
    error = error_for(ListParams, "created[gte]=yesterday")
    assert (error.code, error.param) == ("parameter_invalid_integer", "created[gte]")


def test_created_unknown_operator() -> None:
    error = error_for(ListParams, "created[after]=1")
    assert (error.code, error.param) == ("parameter_unknown", "created[after]")


def test_created_beyond_year_9999_is_refused_not_a_crash() -> None:
    error = error_for(ListParams, "created[gt]=999999999999")
    assert (error.code, error.param) == ("parameter_invalid_integer", "created[gt]")


def test_expand_must_be_an_array_of_strings() -> None:
    assert error_for(ListParams, "expand=customer").param == "expand"
    assert error_for(ListParams, "expand[0][a]=b").param == "expand[0]"


# --- any input ---------------------------------------------------------------------------

form_values = st.recursive(
    st.text(max_size=30),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(min_size=1, max_size=10), inner, max_size=3),
    ),
    max_leaves=8,
)
sample_keys = st.sampled_from(
    [*Sample.model_fields, "unknown", "items", "metadata", "address", "amount"]
)


@given(st.dictionaries(sample_keys, form_values, max_size=6))
def test_any_decoded_input_parses_or_fails_with_one_stripe_error(data: dict[str, Any]) -> None:
    error = _outcome(data)
    if error is not None:
        assert error.type.value == "invalid_request_error"
        assert error.param is None or error.param.split("[")[0] in data
        assert error.message


def _outcome(data: dict[str, Any]) -> SeikyuError | None:
    try:
        parse(Sample, data)
    except SeikyuError as error:
        return error
    return None
