"""Webhook endpoints (`/v1/webhook_endpoints`): create, look up, list, update, delete, and
roll a secret (Seikyu's extension).

An endpoint is a URL and the event types it wants. Each event recorded while an endpoint
is enabled and subscribed to its type is owed to it as a delivery, written with the event
(see `service.record`). Its secret signs those deliveries; it is shown once, when it is
made, so that a leaked API response log cannot be used to forge webhooks.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TypedDict
from urllib.parse import urlsplit

from seikyu.accounts import service as accounts
from seikyu.core import metadata
from seikyu.core.api_version import API_VERSION
from seikyu.core.errors import SeikyuError, no_such
from seikyu.db.models.webhook_endpoints import WebhookEndpoint
from seikyu.db.pagination import Page, Window
from seikyu.db.uow import UnitOfWork
from seikyu.events import endpoint_repository as repository
from seikyu.events import event_types
from seikyu.events.endpoint_status import EndpointAction, EndpointStatus, transition
from seikyu.events.signature import new_secret

OBJECT = "webhook_endpoint"
# Stripe's limit, per account and mode.
MAX_ENDPOINTS = 16
MAX_URL_LENGTH = 2048
MAX_ROLL_EXPIRY = timedelta(days=7)
DEFAULT_ROLL_EXPIRY = timedelta(hours=24)

_API_VERSION_FORMAT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(\.[a-z]+)?$")
_UNSAFE_URL_CHARACTERS = re.compile(r"[\x00-\x20\x7f]")
_SUBSCRIPTIONS_KEY = "seikyu.webhook_subscriptions"


class EndpointFields(TypedDict, total=False):
    """What a request may set; on update only the keys given are changed, and None for
    `description` or `metadata` clears it."""

    url: str
    enabled_events: list[str]
    description: str | None
    api_version: str | None
    metadata: dict[str, str] | None
    connect: bool
    disabled: bool


def create(uow: UnitOfWork, fields: EndpointFields) -> WebhookEndpoint:
    """A new enabled endpoint with a new secret (which only this answer shows)."""
    if fields.get("connect"):
        raise SeikyuError(
            "Connect webhook endpoints are not supported: Seikyu has no connected accounts. "
            "Omit `connect` or pass false.",
            param="connect",
        )
    url = check_url(fields.get("url") or "")
    enabled = check_enabled_events(fields.get("enabled_events") or [])
    api_version = _check_api_version(fields.get("api_version"))
    accounts.lock(uow, uow.account_id)
    if repository.count_live(uow.session, uow.account_id, uow.livemode) >= MAX_ENDPOINTS:
        mode = "live" if uow.livemode else "test"
        raise SeikyuError(
            f"You have reached the maximum of {MAX_ENDPOINTS} {mode} mode webhook endpoints. "
            "Delete an endpoint before adding another.",
            code="webhook_endpoint_limit_reached",
        )
    endpoint = WebhookEndpoint(
        id=uow.new_id("we"),
        account_id=uow.account_id,
        livemode=uow.livemode,
        created=uow.now,
        url=url,
        description=fields.get("description"),
        enabled_events=enabled,
        api_version=api_version,
        metadata_=metadata.initial(fields.get("metadata")),
        status=EndpointStatus.ENABLED.value,
        secret=new_secret(),
        previous_secret=None,
        previous_secret_expires_at=None,
        failing_since=None,
        disabled_reason=None,
        deleted_at=None,
    )
    repository.add(uow.session, endpoint)
    _forget_subscriptions(uow)
    return endpoint


def get(uow: UnitOfWork, endpoint_id: str) -> WebhookEndpoint:
    endpoint = find(uow, endpoint_id)
    if endpoint is None:
        raise no_such(OBJECT, endpoint_id)
    return endpoint


def find(uow: UnitOfWork, endpoint_id: str) -> WebhookEndpoint | None:
    return repository.get(uow.session, uow.account_id, uow.livemode, endpoint_id)


def page(uow: UnitOfWork, window: Window) -> Page[WebhookEndpoint]:
    return repository.page(uow.session, uow.account_id, uow.livemode, window)


def update(uow: UnitOfWork, endpoint_id: str, fields: EndpointFields) -> WebhookEndpoint:
    """Change what was given; everything is checked before anything changes."""
    endpoint = _locked(uow, endpoint_id)
    url = check_url(fields["url"]) if "url" in fields else None
    enabled = check_enabled_events(fields["enabled_events"]) if "enabled_events" in fields else None
    merged = (
        metadata.merge(endpoint.metadata_, fields["metadata"]) if "metadata" in fields else None
    )
    if url is not None:
        endpoint.url = url
    if enabled is not None:
        endpoint.enabled_events = enabled
    if "description" in fields:
        endpoint.description = fields["description"]
    if merged is not None:
        endpoint.metadata_ = merged
    if "disabled" in fields:
        action = EndpointAction.DISABLE if fields["disabled"] else EndpointAction.ENABLE
        _move(uow, endpoint, action)
    _forget_subscriptions(uow)
    return endpoint


def delete(uow: UnitOfWork, endpoint_id: str) -> WebhookEndpoint:
    """The endpoint goes, and what it was still owed is canceled: nobody is listening."""
    endpoint = _locked(uow, endpoint_id)
    endpoint.deleted_at = uow.now
    repository.cancel_pending_deliveries(uow.session, endpoint.id)
    _forget_subscriptions(uow)
    return endpoint


def roll_secret(uow: UnitOfWork, endpoint_id: str, expires_in: timedelta) -> WebhookEndpoint:
    """A new secret, shown once. The old one keeps signing deliveries, next to the new one,
    for `expires_in`, so that receivers can switch over without rejecting any; a second
    roll inside that time drops the oldest secret."""
    if not timedelta(0) <= expires_in <= MAX_ROLL_EXPIRY:
        raise SeikyuError(
            f"expires_in must be between 0 and {int(MAX_ROLL_EXPIRY.total_seconds())} "
            "seconds (7 days).",
            param="expires_in",
        )
    endpoint = _locked(uow, endpoint_id)
    if expires_in:
        endpoint.previous_secret = endpoint.secret
        # Deliveries are signed in real time, even for events of a test clock.
        endpoint.previous_secret_expires_at = uow.real_now() + expires_in
    else:
        endpoint.previous_secret = None
        endpoint.previous_secret_expires_at = None
    endpoint.secret = new_secret()
    return endpoint


def signing_secrets(endpoint: WebhookEndpoint, at: datetime) -> list[str]:
    """The secrets a delivery sent at `at` (real time) is signed with: the current one,
    and the one it replaced while that has not expired."""
    out = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret is not None and expires is not None and at < expires:
        out.append(endpoint.previous_secret)
    return out


def disable_for_failures(uow: UnitOfWork, endpoint: WebhookEndpoint, reason: str) -> None:
    """Seikyu turns off an endpoint whose deliveries keep failing, and records an event
    (Seikyu's `webhook_endpoint.disabled`) since the account did not ask for it."""
    _move(uow, endpoint, EndpointAction.DISABLE_FOR_FAILURES)
    endpoint.disabled_reason = reason
    _forget_subscriptions(uow)


def subscriptions(uow: UnitOfWork) -> list[tuple[str, list[str]]]:
    """(id, enabled_events) of the endpoints owed the unit's events, read once per unit of
    work: one unit may record events several times, and most accounts have no endpoint."""
    cache: dict[tuple[str, bool], list[tuple[str, list[str]]]] = uow.session.info.setdefault(
        _SUBSCRIPTIONS_KEY, {}
    )
    key = (uow.account_id, uow.livemode)
    found = cache.get(key)
    if found is None:
        found = repository.enabled_subscriptions(uow.session, uow.account_id, uow.livemode)
        cache[key] = found
    return found


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host: where Seikyu can POST."""
    problem = None
    if not url:
        problem = "it is empty"
    elif len(url) > MAX_URL_LENGTH:
        problem = f"it is longer than {MAX_URL_LENGTH} characters"
    elif _UNSAFE_URL_CHARACTERS.search(url):
        problem = "it contains spaces or control characters"
    else:
        try:
            parts = urlsplit(url)
            port_ok = parts.port is None or parts.port > 0
        except ValueError:
            parts, port_ok = None, False
        if parts is None or parts.scheme.lower() not in ("http", "https"):
            problem = "URLs must begin with http:// or https://"
        elif not parts.hostname or not port_ok:
            problem = "it has no valid host and port"
    if problem is not None:
        shown = url if len(url) <= 100 else url[:100] + "..."
        raise SeikyuError(f"Invalid URL: {shown} ({problem}).", param="url", code="url_invalid")
    return url


def check_enabled_events(names: list[str]) -> list[str]:
    """Known type names or `*`, each once, in the order given."""
    if not names:
        raise SeikyuError(
            "enabled_events must name at least one event type, or `*` for all of them.",
            param="enabled_events",
        )
    for index, name in enumerate(names):
        if not event_types.is_known(name):
            raise SeikyuError(
                f"Invalid enabled_events[{index}]: '{name[:100]}' is not an event type. Use "
                "event type names such as `invoice.paid`, or `*` for every type.",
                param=f"enabled_events[{index}]",
                code="parameter_invalid_enum",
            )
    return list(dict.fromkeys(names))


def _check_api_version(version: str | None) -> str | None:
    """Seikyu renders events in one API version only, so an endpoint may ask for that one
    (or none): accepting another would promise shapes Seikyu does not make."""
    if version is None:
        return None
    if not _API_VERSION_FORMAT.match(version):
        raise SeikyuError(
            f"Invalid api_version: {version[:40]}. API versions look like `{API_VERSION}`.",
            param="api_version",
        )
    if version != API_VERSION:
        raise SeikyuError(
            f"Seikyu renders events in API version {API_VERSION} only; omit api_version "
            f"or pass {API_VERSION}.",
            param="api_version",
        )
    return version


def _move(uow: UnitOfWork, endpoint: WebhookEndpoint, action: EndpointAction) -> None:
    was = EndpointStatus(endpoint.status)
    move = transition(was, action)
    endpoint.status = move.status.value
    if was is EndpointStatus.DISABLED and move.status is EndpointStatus.ENABLED:
        # A fresh start: earlier failures no longer count towards disabling it again.
        endpoint.failing_since = None
        endpoint.disabled_reason = None
    if move.event is not None:
        uow.emit(move.event, endpoint)


def _locked(uow: UnitOfWork, endpoint_id: str) -> WebhookEndpoint:
    endpoint = repository.get(
        uow.session, uow.account_id, uow.livemode, endpoint_id, for_update=True
    )
    if endpoint is None:
        raise no_such(OBJECT, endpoint_id)
    return endpoint


def _forget_subscriptions(uow: UnitOfWork) -> None:
    uow.session.info.pop(_SUBSCRIPTIONS_KEY, None)
