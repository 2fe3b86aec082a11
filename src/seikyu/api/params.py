"""Parameter models: Pydantic validates, and its errors become Stripe's.

Every endpoint declares a `Params` subclass. Unknown parameters are rejected, an empty
string means "clear" where a field may be cleared, and each error names the parameter by
its full bracket path (`items[0][price]`).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from functools import cache
from types import NoneType, UnionType
from typing import Annotated, Any, Self, TypeVar, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from seikyu.api.form import bracket_path
from seikyu.core import metadata as metadata_rules
from seikyu.core.clock import from_unix
from seikyu.core.errors import SeikyuError

MAX_STRING = 5000
INT64_MAX = 2**63 - 1

_INTEGER = re.compile(r"^[+-]?[0-9]+$")
# The SDK sends a Python Decimal as str(), which may use an exponent ("1E-7").
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,2})?$")
_BOOLEANS = {"true": True, "false": False}


class Params(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_max_length=MAX_STRING, hide_input_in_errors=False
    )

    @model_validator(mode="wrap")
    @classmethod
    def _form_values(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """Read form strings the way Stripe does, before Pydantic's laxer coercions.

        `field=` clears an optional field and is an error on one that can't be cleared;
        integers, decimals and booleans must be spelled exactly (`10`, `1.5`, `true`):
        Pydantic alone would take `10.0`, `NaN` or `yes`. Unknown and missing parameters
        are still reported first, as they are for every other error.
        """
        if not isinstance(data, dict):
            return handler(data)
        out, problem = _read_form(cls, data)
        if problem is None:
            return handler(out)
        try:
            handler(out)
        except ValidationError as exc:
            if any(error["type"] in _FIRST for error in exc.errors()):
                raise
        raise problem

    def given(self, name: str) -> bool:
        """Whether the request named this parameter (possibly to clear it)."""
        return name in self.model_fields_set


_FIRST = {"extra_forbidden", "missing"}


def _read_form(
    model: type[Params], data: dict[str, Any]
) -> tuple[dict[str, Any], PydanticCustomError | None]:
    """The data with form strings read, and the first value that could not be read.

    A value that could not be read is replaced by None, so that validating the rest still
    finds any unknown or missing parameter.
    """
    out = dict(data)
    problem: PydanticCustomError | None = None
    kinds = _scalar_kinds(model)
    for name, value in data.items():
        field = model.model_fields.get(name)
        if field is None:
            continue
        try:
            if value == "":
                if not _allows_none(field.annotation):
                    raise _empty(name)
                out[name] = None
            elif isinstance(value, str) and name in kinds:
                out[name] = _read_scalar(kinds[name], name, value)
        except PydanticCustomError as error:
            problem = problem or error
            out[name] = None
    return out, problem


def _empty(name: str) -> PydanticCustomError:
    return PydanticCustomError(
        "parameter_invalid_empty",
        "You passed an empty string for '{name}'. We assume empty values are an attempt to "
        "unset a parameter; however '{name}' cannot be unset. You should remove '{name}' from "
        "your request or supply a non-empty value.",
        {"name": name},
    )


def _allows_none(annotation: Any) -> bool:
    args = getattr(annotation, "__args__", ())
    return annotation is None or type(None) in args


def _scalar_kind(annotation: Any) -> type | None:
    """`int`, `bool` or `Decimal` if the field holds exactly that (optionally), else None."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _scalar_kind(get_args(annotation)[0])
    if origin is Union or origin is UnionType:
        kinds = {_scalar_kind(arg) for arg in get_args(annotation) if arg is not NoneType}
        return kinds.pop() if len(kinds) == 1 else None
    if annotation is bool or annotation is int or annotation is Decimal:
        return annotation
    return None


@cache
def _scalar_kinds(model: type[Params]) -> dict[str, type]:
    kinds = {}
    for name, field in model.model_fields.items():
        kind = _scalar_kind(field.annotation)
        if kind is not None:
            kinds[name] = kind
    return kinds


def _read_scalar(kind: type, name: str, value: str) -> Any:
    if kind is bool:
        if value not in _BOOLEANS:
            raise _named(name, f"Invalid boolean: {value}", "parameter_invalid_boolean")
        return _BOOLEANS[value]
    if kind is int:
        # Past 64 bits no column can hold it; the range check also keeps int() cheap.
        if not _INTEGER.match(value) or len(value) > 20 or abs(int(value)) > INT64_MAX:
            raise _named(name, f"Invalid integer: {value}", "parameter_invalid_integer")
        return value
    if not _DECIMAL.match(value) or len(value) > 40:
        raise _named(name, f"Invalid decimal: {value}", "parameter_invalid_decimal")
    return value


def _named(name: str, message: str, code: str) -> PydanticCustomError:
    """An error raised for the whole model that still names the field it is about."""
    return PydanticCustomError(
        "invalid_param", "{message}", {"message": message, "code": code, "name": name}
    )


P = TypeVar("P", bound=Params)


def parse(model: type[P], data: dict[str, Any]) -> P:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise to_stripe_error(exc) from None


_PRIORITY = {"extra_forbidden": 0, "missing": 1}


def to_stripe_error(exc: ValidationError) -> SeikyuError:
    """Stripe reports one problem at a time: unknown params first, then missing ones."""
    errors = sorted(exc.errors(), key=lambda e: _PRIORITY.get(e["type"], 2))
    return _one(errors[0])


def _location(error: ErrorDetails) -> str | None:
    # Pydantic adds the validator or union member it tried to the location
    # ("function-after[...]", "literal['a']"); those are not parameter names.
    parts = [p for p in error["loc"] if isinstance(p, int) or ("[" not in p and " " not in p)]
    ctx = error.get("ctx") or {}
    if "name" in ctx:
        parts.append(ctx["name"])
    return bracket_path(parts) or None


def _one(error: ErrorDetails) -> SeikyuError:
    kind = error["type"]
    param = _location(error)
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return SeikyuError(
            f"Received unknown parameter: {param}", param=param, code="parameter_unknown"
        )
    if kind == "missing":
        return SeikyuError(
            f"Missing required param: {param}.", param=param, code="parameter_missing"
        )
    if kind == "parameter_invalid_empty":
        return SeikyuError(error["msg"], param=param, code="parameter_invalid_empty")
    if kind == "invalid_param":
        return SeikyuError(str(ctx.get("message", error["msg"])), param=param, code=ctx.get("code"))
    if kind in _BOUNDS:
        return _bound_error(kind, param, value, ctx)
    if kind.startswith("int_"):
        return SeikyuError(
            f"Invalid integer: {value}", param=param, code="parameter_invalid_integer"
        )
    if kind.startswith("decimal_"):
        return SeikyuError(
            f"Invalid decimal: {value}", param=param, code="parameter_invalid_decimal"
        )
    if kind.startswith("bool_"):
        return SeikyuError(
            f"Invalid boolean: {value}", param=param, code="parameter_invalid_boolean"
        )
    if kind in ("literal_error", "enum"):
        return SeikyuError(
            f"Invalid {param}: must be one of {_choices(str(ctx.get('expected', '')))}",
            param=param,
            code="parameter_invalid_enum",
        )
    if kind == "string_too_long":
        return SeikyuError(
            f"Invalid string: {str(value)[:20]}...; must be at most "
            f"{ctx.get('max_length')} characters",
            param=param,
            code="parameter_invalid_string_too_long",
        )
    if kind in ("string_type", "string_too_short"):
        return SeikyuError(f"Invalid string: {value}", param=param, code="parameter_invalid_string")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return SeikyuError(
            f"Invalid object: {param} must be a hash", param=param, code="parameter_invalid_hash"
        )
    if kind == "list_type":
        return SeikyuError(
            f"Invalid array: {param} must be an array", param=param, code="parameter_invalid_array"
        )
    if kind in ("too_long", "too_short"):
        limit = ctx.get("max_length") if kind == "too_long" else ctx.get("min_length")
        words = "at most" if kind == "too_long" else "at least"
        return SeikyuError(
            f"Invalid array: {param} must have {words} {limit} elements",
            param=param,
            code="parameter_invalid_array",
        )
    return SeikyuError(f"Invalid {param}: {error['msg']}", param=param)


def _choices(expected: str) -> str:
    """Pydantic's "'a', 'b' or 'c'" written Stripe's way: "a, b, or c"."""
    values: list[str] = re.findall(r"'((?:[^'\\]|\\.)*)'", expected)
    if not values:
        return expected
    if len(values) <= 2:
        return " or ".join(values)
    return ", ".join(values[:-1]) + ", or " + values[-1]


_BOUNDS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_BOUND_WORDS = {
    "greater_than": "greater than",
    "greater_than_equal": "greater than or equal to",
    "less_than": "less than",
    "less_than_equal": "less than or equal to",
}


def _bound_error(kind: str, param: str | None, value: Any, ctx: dict[str, Any]) -> SeikyuError:
    bound = next(iter(ctx.values()), "")
    whole = isinstance(value, int) or (isinstance(value, str) and _INTEGER.match(value))
    return SeikyuError(
        f"This value must be {_BOUND_WORDS[kind]} {bound}.",
        param=param,
        code="parameter_invalid_integer" if whole else "parameter_invalid_decimal",
    )


def bad(message: str, code: str | None = None) -> PydanticCustomError:
    """An error for a field validator; it reaches the client with the field's path."""
    return PydanticCustomError("invalid_param", "{message}", {"message": message, "code": code})


# --- shared field types -------------------------------------------------------------


def _check_metadata(value: Any) -> Any:
    """Stripe's limits and messages; runs before the strings are validated one by one."""
    if not isinstance(value, dict):
        return value
    if len(value) > metadata_rules.MAX_KEYS:
        raise bad(
            f"Metadata can have up to {metadata_rules.MAX_KEYS} keys, but you've set {len(value)}."
        )
    for key, item in value.items():
        if len(key) > metadata_rules.MAX_KEY_LENGTH:
            raise bad(
                f"Metadata keys can have up to {metadata_rules.MAX_KEY_LENGTH} characters, but "
                f"you passed in a key that is {len(key)} characters. Invalid key: {key}"
            )
        if isinstance(item, str) and len(item) > metadata_rules.MAX_VALUE_LENGTH:
            raise bad(
                f"Metadata values can have up to {metadata_rules.MAX_VALUE_LENGTH} characters, "
                f"but you passed in a value that is {len(item)} characters. "
                f"Invalid value: {item[:100]}"
            )
    return value


# A value of "" removes that key; the whole field set to "" (None here) removes every key.
Metadata = Annotated[dict[str, str], BeforeValidator(_check_metadata)]


class Address(Params):
    """A postal address, as customers, shipping and billing details take it."""

    city: Annotated[str, Field(max_length=5000)] | None = None
    country: Annotated[str, Field(max_length=2)] | None = None
    line1: Annotated[str, Field(max_length=5000)] | None = None
    line2: Annotated[str, Field(max_length=5000)] | None = None
    postal_code: Annotated[str, Field(max_length=5000)] | None = None
    state: Annotated[str, Field(max_length=5000)] | None = None


class Expandable(Params):
    expand: list[Annotated[str, Field(max_length=500)]] | None = None


# Unix seconds from year 1 to the end of year 9999 (what a datetime can hold), less one
# second at the top because a bound of second N is the instant range [N, N+1).
Timestamp = Annotated[int, Field(ge=-62_135_596_800, le=253_402_300_798)]


def moment(seconds: int | None) -> datetime | None:
    """A `Timestamp` parameter as the aware UTC instant the services take."""
    return None if seconds is None else from_unix(seconds)


class RangeFilter(Params):
    gt: Timestamp | None = None
    gte: Timestamp | None = None
    lt: Timestamp | None = None
    lte: Timestamp | None = None


def _exact_as_range(value: Any) -> Any:
    """`created=123` means exactly that second: the same as gte and lte together."""
    if isinstance(value, int):
        return {"gte": value, "lte": value}
    if isinstance(value, str):
        if not _INTEGER.match(value) or len(value) > 20:
            raise bad(f"Invalid integer: {value}", "parameter_invalid_integer")
        return {"gte": value, "lte": value}
    return value


Created = Annotated[RangeFilter | None, BeforeValidator(_exact_as_range)]


class ListParams(Expandable):
    limit: Annotated[int, Field(ge=1, le=100)] = 10
    starting_after: Annotated[str, Field(max_length=500)] | None = None
    ending_before: Annotated[str, Field(max_length=500)] | None = None
    created: Created = None

    @model_validator(mode="after")
    def _one_cursor(self) -> Self:
        if self.starting_after and self.ending_before:
            # Stripe's wording; it names no param and no code for this one.
            raise bad(
                "Received both starting_after and ending_before parameters. "
                "Please pass in only one."
            )
        return self


class SearchParams(Expandable):
    query: str
    limit: Annotated[int, Field(ge=1, le=100)] = 10
    page: str | None = None
