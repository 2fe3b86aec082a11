"""Multipart bodies decode to the same params a form body would, with files as uploads."""

from __future__ import annotations

import pytest

from seikyu.api.form import MAX_FIELDS
from seikyu.api.multipart import MAX_BODY, decode_multipart, is_multipart
from seikyu.core.errors import SeikyuError
from seikyu.files.domain.upload import Upload

BOUNDARY = "b0undary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def body(*parts: tuple[str, bytes, str | None]) -> bytes:
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + value + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def test_fields_nest_as_in_a_form_and_files_become_uploads() -> None:
    data = b"%PDF-1.4\r\n--not-the-boundary\r\n\x00\xff"
    decoded = decode_multipart(
        CONTENT_TYPE,
        body(
            ("purpose", b"dispute_evidence", None),
            ("file_link_data[metadata][order]", "\u6ce8\u6587".encode(), None),
            ("expand[0]", b"links", None),
            ("file", data, "scan.pdf"),
        ),
    )

    assert decoded == {
        "purpose": "dispute_evidence",
        "file_link_data": {"metadata": {"order": "\u6ce8\u6587"}},
        "expand": ["links"],
        "file": Upload("scan.pdf", data),
    }


def test_a_file_part_bigger_than_memory_buffers_is_read_whole() -> None:
    data = bytes(range(256)) * 8_000  # 2 MB: past the parser's in-memory size

    decoded = decode_multipart(CONTENT_TYPE, body(("file", data, "big.bin")))

    assert decoded["file"] == Upload("big.bin", data)


def test_an_oversized_body_is_refused_before_parsing() -> None:
    with pytest.raises(SeikyuError) as refused:
        decode_multipart(CONTENT_TYPE, b"x" * (MAX_BODY + 1))

    assert (refused.value.param, refused.value.code) == ("file", "file_too_large")


def test_a_body_without_a_boundary_is_a_400() -> None:
    with pytest.raises(SeikyuError) as refused:
        decode_multipart("multipart/form-data", body(("purpose", b"x", None)))

    assert refused.value.kind.name == "INVALID"


def test_too_many_parts_are_refused() -> None:
    parts = [(f"metadata[k{i}]", b"v", None) for i in range(MAX_FIELDS + 1)]

    with pytest.raises(SeikyuError, match="Too many parameters"):
        decode_multipart(CONTENT_TYPE, body(*parts))


def test_a_null_byte_in_a_field_is_refused_but_not_in_a_file() -> None:
    with pytest.raises(SeikyuError) as refused:
        decode_multipart(CONTENT_TYPE, body(("purpose", b"a\x00b", None)))
    assert refused.value.param == "purpose"

    assert decode_multipart(CONTENT_TYPE, body(("file", b"\x00", "z")))["file"].data == b"\x00"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("multipart/form-data; boundary=x", True),
        ("Multipart/Form-Data;boundary=x", True),
        ("application/x-www-form-urlencoded", False),
        ("multipart/mixed; boundary=x", False),
        ("", False),
        (None, False),
    ],
)
def test_multipart_is_told_by_its_media_type(header: str | None, expected: bool) -> None:
    assert is_multipart(header) is expected
