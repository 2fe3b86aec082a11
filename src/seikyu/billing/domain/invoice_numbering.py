"""Invoice numbers: a prefix, a dash and a sequence, assigned when an invoice is finalized.

Drafts have no number. Under customer-level numbering each customer has its own prefix and
sequence (TYPGRA-0001, TYPGRA-0002); under account-level numbering the account has one
prefix and one sequence shared by all its customers (RKTRIDE-0001 for customer A, -0002 for
B, -0003 for A). Both are a `NumberingState` held by whichever owns the sequence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from seikyu.core.errors import invalid

_PREFIX = re.compile(r"[A-Z0-9]{3,12}")
_MASK_32 = 0xFFFFFFFF


def invoice_number(prefix: str, sequence: int) -> str:
    """`PREFIX-0001`: the sequence zero-padded to four digits, and wider past 9999."""
    if sequence < 1:
        raise ValueError(f"an invoice sequence starts at 1, got {sequence}")
    return f"{prefix}-{sequence:04d}"


def check_invoice_prefix(prefix: str) -> str:
    """`prefix` unchanged if it is 3 to 12 uppercase ASCII letters or digits.

    Raises `SeikyuError` (`invalid_request_error`, param `invoice_prefix`) otherwise.
    Uniqueness across the account is the caller's check (`invoice_prefix_in_use`).
    """
    if _PREFIX.fullmatch(prefix) is None:
        raise invalid(
            f"Invalid invoice_prefix: '{prefix}'. "
            "It must be 3 to 12 characters, each an uppercase letter (A-Z) or a digit (0-9).",
            param="invoice_prefix",
        )
    return prefix


def default_invoice_prefix(seed: int) -> str:
    """An 8-character prefix of uppercase hexadecimal digits derived from `seed`.

    Deterministic: the same seed gives the same prefix. Seeds are taken modulo 2**32, and
    distinct seeds in that range give distinct prefixes. The caller supplies a random seed
    and retries with another one if the prefix is already in use.
    """
    # A bijective 32-bit mix (offset first so seed 0 is not the fixed point "00000000"),
    # so consecutive seeds don't give look-alike prefixes.
    x = (seed + 0x9E3779B9) & _MASK_32
    x ^= x >> 16
    x = (x * 0x7FEB352D) & _MASK_32
    x ^= x >> 15
    x = (x * 0x846CA68B) & _MASK_32
    x ^= x >> 16
    return f"{x:08X}"


@dataclass(frozen=True, slots=True)
class NumberingState:
    """A numbering sequence: the prefix and the sequence the next finalized invoice gets."""

    prefix: str
    next_sequence: int = 1

    def __post_init__(self) -> None:
        if self.next_sequence < 1:
            raise ValueError(f"next_sequence starts at 1, got {self.next_sequence}")

    def assign(self) -> tuple[str, NumberingState]:
        """The number for the invoice being finalized, and the state for the one after it."""
        number = invoice_number(self.prefix, self.next_sequence)
        return number, replace(self, next_sequence=self.next_sequence + 1)
