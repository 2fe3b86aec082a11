"""billing.meter and billing.meter_event_summary -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.billing_meters import BillingMeter
from seikyu.metering.meters import Summary

OBJECT = "billing.meter"
SUMMARY_OBJECT = "billing.meter_event_summary"


def render_billing_meter(meter: BillingMeter) -> dict[str, Any]:
    return {
        "id": meter.id,
        "object": OBJECT,
        "created": ts(meter.created),
        "customer_mapping": {"event_payload_key": meter.customer_payload_key, "type": "by_id"},
        "default_aggregation": {"formula": meter.formula},
        "display_name": meter.display_name,
        "event_name": meter.event_name,
        "event_time_window": meter.event_time_window,
        "livemode": meter.livemode,
        "status": meter.status,
        "status_transitions": {"deactivated_at": ts(meter.deactivated_at)},
        "updated": ts(meter.updated),
        "value_settings": {"event_payload_key": meter.value_payload_key},
    }


def render_summary(summary: Summary) -> dict[str, Any]:
    return {
        "id": summary.id,
        "object": SUMMARY_OBJECT,
        # Values are whole numbers, so the wire shows 40 where Stripe's float type allows 40.0.
        "aggregated_value": summary.aggregated_value,
        "end_time": summary.end_time,
        "livemode": summary.livemode,
        "meter": summary.meter,
        "start_time": summary.start_time,
    }
