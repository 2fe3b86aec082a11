"""A file as a request carried it, before it is checked or stored."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str | None
    data: bytes
