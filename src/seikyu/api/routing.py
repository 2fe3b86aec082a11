"""Operations: an HTTP method and path bound to a parameter model and a handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from seikyu.api.params import Params
from seikyu.db.uow import UnitOfWork
from seikyu.payments.domain.processor import Processor

P = TypeVar("P", bound=Params)


@dataclass(frozen=True)
class Call(Generic[P]):
    """What a handler gets: its unit of work, validated params, path values, the card
    processor, and the server's own address for links it hands out (e.g. the 3D Secure page)."""

    uow: UnitOfWork
    params: P
    path: dict[str, str]
    url: str
    processor: Processor
    base_url: str = "http://localhost"


@dataclass(frozen=True)
class RawResponse:
    """A handler's answer that is not a JSON object: a file's bytes."""

    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call[Any]], dict[str, Any] | RawResponse]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # Starlette template, e.g. "/v1/customers/{id}"
    params: type[Params]
    handler: Handler


@dataclass
class Router:
    operations: list[Operation] = field(default_factory=list)

    def route(
        self, method: str, path: str, params: type[P]
    ) -> Callable[[Callable[[Call[P]], Any]], Callable[[Call[P]], Any]]:
        def register(handler: Callable[[Call[P]], Any]) -> Callable[[Call[P]], Any]:
            self.operations.append(Operation(method, path, params, handler))
            return handler

        return register

    def get(self, path: str, params: type[P]) -> Callable[..., Any]:
        return self.route("GET", path, params)

    def post(self, path: str, params: type[P]) -> Callable[..., Any]:
        return self.route("POST", path, params)

    def delete(self, path: str, params: type[P]) -> Callable[..., Any]:
        return self.route("DELETE", path, params)
