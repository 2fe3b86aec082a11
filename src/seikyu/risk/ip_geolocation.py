"""The country of a payment's client IP address, for `:ip_country:` and the card, IP and
billing country mismatches.

The country data is MaxMind's GeoLite2 Country (IPv4), as the `geoip2fast` package ships
it: about 5 MB in memory, loaded once, a lookup in microseconds. `SEIKYU_GEOIP_DATA` names
a fresher data file in geoip2fast's format. An address the data cannot place (private,
reserved, IPv6, malformed) has no country, as a payment without an address: rules see
`:ip_country:` missing, never a guess.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from geoip2fast import GeoIP2Fast  # type: ignore[import-untyped]

DATA_ENV = "SEIKYU_GEOIP_DATA"

_load_lock = threading.Lock()
_data: Any = None


def country_of(ip_address: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code of the country the address is in, if known."""
    if not ip_address:
        return None
    code = _loaded().lookup(ip_address).country_code
    return code if isinstance(code, str) and len(code) == 2 and code.isalpha() else None


def warm_up() -> None:
    """Load the data now rather than on the first payment."""
    _loaded()


def _loaded() -> Any:
    global _data  # noqa: PLW0603 -- loaded once, under the lock
    if _data is None:
        with _load_lock:
            if _data is None:
                path = os.environ.get(DATA_ENV)
                options = {"geoip2fast_data_file": path} if path else {}
                _data = GeoIP2Fast(verbose=False, **options)
    return _data
