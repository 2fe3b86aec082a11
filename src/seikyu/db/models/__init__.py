"""Every table's model. Each module in this package defines one table; importing the
package imports them all, so the metadata and Alembic see every table."""

from __future__ import annotations

import importlib
import pkgutil

from seikyu.db.models.accounts import Account
from seikyu.db.models.api_keys import ApiKey
from seikyu.db.models.customers import Customer
from seikyu.db.models.events import Event
from seikyu.db.models.idempotency_keys import IdempotencyKey
from seikyu.db.models.request_logs import RequestLog

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Account", "ApiKey", "Customer", "Event", "IdempotencyKey", "RequestLog"]
