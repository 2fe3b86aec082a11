"""The verification status a new tax ID starts with.

Stripe checks three types against government registers, asynchronously: `eu_vat` (VIES),
`gb_vat` (HMRC) and `au_abn` (ABR). Those start `pending`; every other type is `unavailable`,
because no register is consulted. In test mode, Stripe documents magic values for `eu_vat`
and `au_abn`: 000000000 verifies, 111111111 fails, 222222222 stays pending.

Seikyu consults no register yet, so a live `pending` stays pending (a verification job that
queries VIES, HMRC and ABR and emits `customer.tax_id.updated` is future work). The test-mode
magic values are resolved at creation, synchronously: the created tax ID already shows
`verified` or `unverified`, where Stripe would show `pending` and send
`customer.tax_id.updated` a moment later.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from seikyu.customers.tax_id_formats import compact


class VerificationStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    UNAVAILABLE = "unavailable"


REGISTER_CHECKED = frozenset({"eu_vat", "gb_vat", "au_abn"})
MAGIC_TYPES = frozenset({"eu_vat", "au_abn"})
MAGIC_VALUES = {
    "000000000": VerificationStatus.VERIFIED,
    "111111111": VerificationStatus.UNVERIFIED,
    "222222222": VerificationStatus.PENDING,
}


@dataclass(frozen=True)
class Verification:
    status: VerificationStatus
    verified_name: str | None = None
    verified_address: str | None = None


def magic_number(tax_type: str, value: str) -> str | None:
    """The test-mode magic number `value` carries, if any (an EU prefix may precede it)."""
    if tax_type not in MAGIC_TYPES:
        return None
    text = compact(value)
    body = text[2:] if tax_type == "eu_vat" and text[:2].isalpha() else text
    return body if body in MAGIC_VALUES else None


def initial_verification(tax_type: str, value: str, *, livemode: bool) -> Verification:
    if tax_type not in REGISTER_CHECKED:
        return Verification(VerificationStatus.UNAVAILABLE)
    magic = None if livemode else magic_number(tax_type, value)
    if magic is not None:
        return Verification(MAGIC_VALUES[magic])
    return Verification(VerificationStatus.PENDING)
