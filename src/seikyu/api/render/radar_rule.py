"""radar.rule and radar.settings -> JSON (Seikyu's extension; Stripe has no rules API)."""

from __future__ import annotations

from typing import Any

from seikyu.accounts.settings import RadarSettings
from seikyu.api.render.common import ts
from seikyu.db.models.radar_rules import RadarRule
from seikyu.risk.rules import BuiltInRule

OBJECT = "radar.rule"


def render_radar_rule(rule: RadarRule | BuiltInRule) -> dict[str, Any]:
    if isinstance(rule, BuiltInRule):
        return {
            "id": rule.id,
            "object": OBJECT,
            "action": rule.action,
            "built_in": True,
            "created": None,
            "description": None,
            "livemode": rule.livemode,
            "metadata": {},
            "predicate": rule.predicate,
            "status": rule.status,
            "updated": None,
        }
    return {
        "id": rule.id,
        "object": OBJECT,
        "action": rule.action,
        "built_in": False,
        "created": ts(rule.created),
        "description": rule.description,
        "livemode": rule.livemode,
        "metadata": dict(rule.metadata_),
        "predicate": rule.predicate,
        "status": rule.status,
        "updated": ts(rule.updated),
    }


def render_radar_settings(current: RadarSettings, livemode: bool) -> dict[str, Any]:
    return {
        "object": "radar.settings",
        "block_threshold": current.block_threshold,
        "livemode": livemode,
        "review_threshold": current.review_threshold,
        "rules": {
            "block_if_high_risk": "active" if current.block_if_high_risk else "disabled",
            "review_if_elevated_risk": "active" if current.review_if_elevated_risk else "disabled",
        },
    }
