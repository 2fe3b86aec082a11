"""Which files each purpose takes, and what a file is, read from its own bytes.

Stripe's limits per purpose (its file upload guide): formats, largest size and how long the
file is kept. Seikyu takes the purposes a billing account uses; the others serve Connect,
Identity, Issuing or Terminal, which it does not have.
A file's type is read from its leading bytes, never from the name the client gave it, so
a renamed executable is not taken for a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True, slots=True)
class Purpose:
    name: str
    types: tuple[str, ...]
    max_size: int
    # How long the file is kept; neither given: kept for good.
    kept_months: int | None = None
    kept_days: int | None = None


PURPOSES: dict[str, Purpose] = {
    p.name: p
    for p in (
        Purpose("dispute_evidence", ("pdf", "jpg", "png"), 5 * MIB, kept_months=9),
        Purpose("customer_signature", ("jpg", "png", "svg"), 4 * MIB, kept_days=7),
        Purpose("business_icon", ("jpg", "png", "gif"), 512 * KIB),
        Purpose("business_logo", ("jpg", "png", "gif"), 512 * KIB),
    )
}
LARGEST = max(p.max_size for p in PURPOSES.values())

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "svg": "image/svg+xml",
}
TYPE_NAMES = {"pdf": "PDF", "jpg": "JPEG", "png": "PNG", "gif": "GIF", "svg": "SVG"}

_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


def sniff(data: bytes) -> str | None:
    """The file's type from its content: pdf, jpg, png, gif or svg; None if none of them."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "svg"
    return None


def accepts(purpose: Purpose, kind: str | None) -> bool:
    return kind is not None and kind in purpose.types


def allowed_types(purpose: Purpose) -> str:
    """`PDF, JPEG or PNG`."""
    names = [TYPE_NAMES[t] for t in purpose.types]
    return ", ".join(names[:-1]) + " or " + names[-1]
