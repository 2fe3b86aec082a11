"""Every table's model, imported so that metadata and Alembic see them all."""

from seikyu.db.models.accounts import Account
from seikyu.db.models.api_keys import ApiKey
from seikyu.db.models.customers import Customer
from seikyu.db.models.events import Event
from seikyu.db.models.idempotency_keys import IdempotencyKey
from seikyu.db.models.request_logs import RequestLog

__all__ = ["Account", "ApiKey", "Customer", "Event", "IdempotencyKey", "RequestLog"]
