"""/v1/request_logs (a Seikyu extension; see docs/request-logs.md)"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, bad
from seikyu.api.render.request_log import OBJECT, render_events, render_request_log
from seikyu.api.routing import Call, Router
from seikyu.db.models import RequestLog
from seikyu.db.uow import UnitOfWork
from seikyu.requests import logs as service

router = Router()

_STATUS = re.compile(r"^[1-5](?:[0-9]{2}|xx)$")


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


class RequestLogList(ListParams):
    status: str | None = None
    method: Annotated[Literal["GET", "POST", "DELETE"], BeforeValidator(_upper)] | None = None
    path: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    idempotency_key: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    error_type: (
        Literal["api_error", "card_error", "idempotency_error", "invalid_request_error"] | None
    ) = None

    @field_validator("status")
    @classmethod
    def _status_code_or_class(cls, value: str | None) -> str | None:
        if value is not None and not _STATUS.match(value):
            raise bad(
                f"Invalid status: {value[:20]}; must be a status code such as 404 or a class "
                "such as 4xx."
            )
        return value

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise bad(f"Invalid path: {value[:20]}; must start with / (e.g. /v1/customers).")
        return value

    def where(self) -> service.LogFilter:
        status = self.status
        return service.LogFilter(
            status=int(status) if status is not None and not status.endswith("xx") else None,
            status_class=int(status[0]) if status is not None and status.endswith("xx") else None,
            method=self.method,
            path_prefix=self.path,
            idempotency_key=self.idempotency_key,
            error_type=self.error_type,
        )


@router.get("/v1/request_logs/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    log = service.get(call.uow, call.path["id"])
    return {**render_request_log(log), "events": _events(call.uow, {"id": log.id})}


@router.get("/v1/request_logs", RequestLogList)
def list_request_logs(call: Call[RequestLogList]) -> dict[str, Any]:
    params = call.params
    page = service.page(call.uow, lists.window(params), params.where())
    return lists.envelope(call.url, page, render_request_log)


def _events(uow: UnitOfWork, rendered: dict[str, Any]) -> list[dict[str, Any]]:
    return render_events(service.events_caused(uow, str(rendered["id"])))


registry.register(
    registry.ObjectSpec(
        name=OBJECT,
        prefix="req",
        model=RequestLog,
        render=render_request_log,
        load=service.find,
        # Listed lines leave out their events unless asked for (`expand[]=data.events`).
        includable={"events": _events},
    )
)
