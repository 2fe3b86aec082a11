"""`radar_options`, which payment and setup intents take for fraud screening.

Stripe reads the end customer's device and IP address through its own client libraries
(a Radar session). Seikyu has no client library, so an integration passes the customer's
IP address itself in `radar_options[ip_address]` (Seikyu's extension); `session` is taken
for compatibility and not read.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, Field

from seikyu.api.params import Params, bad


def _check_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise bad(f"Invalid IP address: {value!r}.") from None


IpAddress = Annotated[str, Field(max_length=45), AfterValidator(_check_ip)]


class RadarOptions(Params):
    session: Annotated[str, Field(max_length=5000)] | None = None
    ip_address: IpAddress | None = None
