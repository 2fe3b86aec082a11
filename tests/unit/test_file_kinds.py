"""A file's type is read from its bytes; each purpose takes its own types."""

from __future__ import annotations

import pytest

from seikyu.files.domain.file_kinds import PURPOSES, accepts, allowed_types, sniff


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"GIF87a...", "gif"),
        (b"GIF89a...", "gif"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "svg"),
        (b'\xef\xbb\xbf  <?xml version="1.0"?>\n<svg/>', "svg"),
        (b"<?xml version='1.0'?><html/>", None),
        (b"MZ\x90\x00", None),
        (b"PDF-1.7 without its percent sign", None),
        (b"", None),
    ],
)
def test_sniff(data: bytes, kind: str | None) -> None:
    assert sniff(data) == kind


def test_each_purpose_takes_only_its_types() -> None:
    evidence = PURPOSES["dispute_evidence"]

    assert [accepts(evidence, kind) for kind in ("pdf", "jpg", "png", "gif", "svg", None)] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert allowed_types(evidence) == "PDF, JPEG or PNG"
    assert allowed_types(PURPOSES["business_logo"]) == "JPEG, PNG or GIF"
