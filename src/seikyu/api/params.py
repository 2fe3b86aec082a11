"""Parameter models: Pydantic validates, and its errors become Stripe's.

Every endpoint declares a `Params` subclass. Unknown parameters are rejected, an empty
string means "clear" where a field may be cleared, and each error names the parameter by
its full bracket path (`items[0][price]`).
"""

from __future__ import annotations

from typing import Annotated, Any, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from seikyu.api.form import bracket_path
from seikyu.core.errors import SeikyuError

MAX_STRING = 5000


class Params(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_max_length=MAX_STRING, hide_input_in_errors=False
    )

    @model_validator(mode="before")
    @classmethod
    def _empty_means_clear(cls, data: Any) -> Any:
        """`field=` clears an optional field; on a field that can't be cleared it is an error."""
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, value in data.items():
            field = cls.model_fields.get(name)
            if value != "" or field is None:
                continue
            if _allows_none(field.annotation):
                out[name] = None
            else:
                raise PydanticCustomError(
                    "parameter_invalid_empty",
                    "You passed an empty string for '{name}'. We assume empty values are an "
                    "attempt to unset a parameter; however '{name}' cannot be unset. You should "
                    "remove '{name}' from your request or supply a non-empty value.",
                    {"name": name},
                )
        return out

    def given(self, name: str) -> bool:
        """Whether the request named this parameter (possibly to clear it)."""
        return name in self.model_fields_set


def _allows_none(annotation: Any) -> bool:
    args = getattr(annotation, "__args__", ())
    return annotation is None or type(None) in args


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


def _location(error: ErrorDetails) -> str:
    parts = [p for p in error["loc"] if isinstance(p, int) or ("[" not in p and " " not in p)]
    ctx = error.get("ctx") or {}
    if error["type"] == "parameter_invalid_empty" and "name" in ctx:
        parts.append(ctx["name"])
    return bracket_path(parts)


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
    if kind.startswith("int_") or (kind in _BOUNDS and isinstance(value, int | str)):
        return _integer_error(kind, param, value, ctx)
    if kind.startswith("bool_"):
        return SeikyuError(
            f"Invalid boolean: {value}", param=param, code="parameter_invalid_boolean"
        )
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        return SeikyuError(
            f"Invalid {param}: must be one of {expected}",
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
        return SeikyuError(
            f"Invalid string: {value!r}", param=param, code="parameter_invalid_string"
        )
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return SeikyuError(
            f"Invalid object: {param} must be a hash", param=param, code="parameter_invalid_hash"
        )
    if kind == "list_type":
        return SeikyuError(
            f"Invalid array: {param} must be an array", param=param, code="parameter_invalid_array"
        )
    if kind == "too_long":
        return SeikyuError(
            f"Invalid array: {param} must have at most {ctx.get('max_length')} elements",
            param=param,
            code="parameter_invalid_array",
        )
    if kind == "invalid_param":
        return SeikyuError(str(ctx.get("message", error["msg"])), param=param, code=ctx.get("code"))
    return SeikyuError(f"Invalid {param}: {error['msg']}", param=param)


_BOUNDS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _integer_error(kind: str, param: str, value: Any, ctx: dict[str, Any]) -> SeikyuError:
    if kind in _BOUNDS:
        bound = next(iter(ctx.values()), "")
        words = {
            "greater_than": "greater than",
            "greater_than_equal": "greater than or equal to",
            "less_than": "less than",
            "less_than_equal": "less than or equal to",
        }[kind]
        return SeikyuError(
            f"Invalid {param}: must be {words} {bound}",
            param=param,
            code="parameter_invalid_integer",
        )
    return SeikyuError(f"Invalid integer: {value}", param=param, code="parameter_invalid_integer")


def bad(message: str, code: str | None = None) -> PydanticCustomError:
    """An error for a field validator; it reaches the client with the field's path."""
    return PydanticCustomError("invalid_param", "{message}", {"message": message, "code": code})


# --- shared field types -------------------------------------------------------------


def _check_metadata(value: dict[str, str]) -> dict[str, str]:
    if len(value) > 50:
        raise bad("Invalid metadata: can have at most 50 keys.", "parameter_invalid_metadata")
    for key, item in value.items():
        if len(key) > 40:
            raise bad(
                f"Invalid metadata key '{key}': must be at most 40 characters.",
                "parameter_invalid_metadata",
            )
        if len(item) > 500:
            raise bad(
                f"Invalid metadata value for '{key}': must be at most 500 characters.",
                "parameter_invalid_metadata",
            )
    return value


# A value of "" removes that key; the whole field set to "" (None here) removes every key.
Metadata = Annotated[
    dict[str, Annotated[str, Field(max_length=5000)]], AfterValidator(_check_metadata)
]


class Expandable(Params):
    expand: list[Annotated[str, Field(max_length=500)]] | None = None


class RangeFilter(Params):
    gt: int | None = None
    gte: int | None = None
    lt: int | None = None
    lte: int | None = None


def _exact_as_range(value: Any) -> Any:
    # `created=123` means exactly that second: the same as gte and lte together.
    return {"gte": value, "lte": value} if isinstance(value, str | int) else value


class ListParams(Expandable):
    limit: Annotated[int, Field(ge=1, le=100)] = 10
    starting_after: str | None = None
    ending_before: str | None = None
    created: Annotated[RangeFilter | None, BeforeValidator(_exact_as_range)] = None

    @model_validator(mode="after")
    def _one_cursor(self) -> Self:
        if self.starting_after and self.ending_before:
            raise PydanticCustomError(
                "invalid_param",
                "{message}",
                {
                    "message": "You may only specify one of these parameters: "
                    "ending_before, starting_after.",
                    "code": "parameters_exclusive",
                },
            )
        return self


class SearchParams(Expandable):
    query: str
    limit: Annotated[int, Field(ge=1, le=100)] = 10
    page: str | None = None
