"""/v1/billing/meters, their deactivate and reactivate actions, and event summaries."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, Params, Timestamp, bad
from seikyu.api.render.billing_meter import OBJECT, render_billing_meter, render_summary
from seikyu.api.routing import Call, Router
from seikyu.db.models.billing_meters import BillingMeter
from seikyu.db.pagination import Window
from seikyu.metering import meters as service
from seikyu.metering.domain.meter_rules import (
    DEFAULT_CUSTOMER_KEY,
    DEFAULT_VALUE_KEY,
    MAX_DISPLAY_NAME,
    MAX_EVENT_NAME,
    MAX_PAYLOAD_KEY,
    NewMeter,
    SummaryRange,
)
from seikyu.metering.meters import SummaryQuery

router = Router()

DisplayName = Annotated[str, Field(max_length=MAX_DISPLAY_NAME)]
PayloadKey = Annotated[str, Field(max_length=MAX_PAYLOAD_KEY)]
Cursor = Annotated[str, Field(max_length=5000)]
Limit = Annotated[int, Field(ge=1, le=100)]


class CustomerMappingParams(Params):
    event_payload_key: PayloadKey
    type: Literal["by_id"]


class DefaultAggregationParams(Params):
    # `max` is Seikyu's extension to Stripe's sum, count and last.
    formula: Literal["count", "last", "max", "sum"]


class ValueSettingsParams(Params):
    event_payload_key: PayloadKey


class MeterCreate(Expandable):
    display_name: DisplayName
    event_name: Annotated[str, Field(max_length=MAX_EVENT_NAME)]
    default_aggregation: DefaultAggregationParams
    customer_mapping: CustomerMappingParams | None = None
    value_settings: ValueSettingsParams | None = None
    event_time_window: Literal["day", "hour"] | None = None

    def new_meter(self) -> NewMeter:
        mapping, value = self.customer_mapping, self.value_settings
        return NewMeter(
            display_name=self.display_name,
            event_name=self.event_name,
            formula=self.default_aggregation.formula,
            customer_payload_key=mapping.event_payload_key if mapping else DEFAULT_CUSTOMER_KEY,
            value_payload_key=value.event_payload_key if value else DEFAULT_VALUE_KEY,
            event_time_window=self.event_time_window,
        )


class MeterUpdate(Expandable):
    # Not clearable: a value default rather than None, so that `display_name=` is refused.
    display_name: DisplayName = ""

    def new_display_name(self) -> str | None:
        return self.display_name if self.given("display_name") else None


class Cursors(Expandable):
    """Stripe's list paging, without `created`: meter lists do not filter on it."""

    limit: Limit = 10
    starting_after: Cursor | None = None
    ending_before: Cursor | None = None

    @model_validator(mode="after")
    def _one_cursor(self) -> Self:
        if self.starting_after and self.ending_before:
            raise bad(
                "Received both starting_after and ending_before parameters. "
                "Please pass in only one."
            )
        return self


class MeterList(Cursors):
    status: Literal["active", "inactive"] | None = None

    def window(self) -> Window:
        return Window(
            limit=self.limit, starting_after=self.starting_after, ending_before=self.ending_before
        )


class SummaryList(Cursors):
    customer: Annotated[str, Field(max_length=5000)]
    start_time: Timestamp
    end_time: Timestamp
    value_grouping_window: Literal["day", "hour"] | None = None

    def query(self) -> SummaryQuery:
        return SummaryQuery(
            customer=self.customer,
            range=SummaryRange(self.start_time, self.end_time, self.value_grouping_window),
            limit=self.limit,
            starting_after=self.starting_after,
            ending_before=self.ending_before,
        )


@router.post("/v1/billing/meters", MeterCreate)
def create(call: Call[MeterCreate]) -> dict[str, Any]:
    return render_billing_meter(service.create(call.uow, call.params.new_meter()))


@router.get("/v1/billing/meters/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_billing_meter(service.get(call.uow, call.path["id"]))


@router.post("/v1/billing/meters/{id}", MeterUpdate)
def update(call: Call[MeterUpdate]) -> dict[str, Any]:
    meter = service.update(call.uow, call.path["id"], call.params.new_display_name())
    return render_billing_meter(meter)


@router.get("/v1/billing/meters", MeterList)
def list_billing_meters(call: Call[MeterList]) -> dict[str, Any]:
    page = service.page(call.uow, call.params.window(), call.params.status)
    return lists.envelope(call.url, page, render_billing_meter)


@router.post("/v1/billing/meters/{id}/deactivate", Expandable)
def deactivate(call: Call[Expandable]) -> dict[str, Any]:
    return render_billing_meter(service.deactivate(call.uow, call.path["id"]))


@router.post("/v1/billing/meters/{id}/reactivate", Expandable)
def reactivate(call: Call[Expandable]) -> dict[str, Any]:
    return render_billing_meter(service.reactivate(call.uow, call.path["id"]))


@router.get("/v1/billing/meters/{id}/event_summaries", SummaryList)
def list_event_summaries(call: Call[SummaryList]) -> dict[str, Any]:
    page = service.summaries(call.uow, call.path["id"], call.params.query())
    return lists.envelope(call.url, page, render_summary)


registry.register(
    registry.ObjectSpec(
        name=OBJECT,
        prefix=service.PREFIX,
        model=BillingMeter,
        render=render_billing_meter,
        load=service.find,
    )
)
