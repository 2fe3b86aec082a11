"""`multipart/form-data` bodies, as the SDKs send file uploads: the fields become params
exactly as a form body's would, and each file part an `Upload` under its field's name."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import Field, File, parse_form

from seikyu.api.form import MAX_FIELDS, Decoded, assemble
from seikyu.core.errors import invalid
from seikyu.files.domain.file_kinds import LARGEST
from seikyu.files.domain.upload import Upload

MEDIA_TYPE = "multipart/form-data"
# The largest file any purpose takes, and room for the other fields and part headers.
MAX_BODY = LARGEST + 1024 * 1024


def is_multipart(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == MEDIA_TYPE


def decode_multipart(content_type: str, body: bytes) -> Decoded:
    if len(body) > MAX_BODY:
        raise invalid(
            f"The request body is {len(body):,} bytes; an upload may be at most {MAX_BODY:,}.",
            param="file",
            code="file_too_large",
        )
    pairs: list[tuple[str, Any]] = []

    def on_field(field: Field) -> None:
        _count(pairs)
        value = field.value or b""
        pairs.append((_name(field.field_name), value.decode("utf-8", errors="replace")))

    def on_file(part: File) -> None:
        _count(pairs)
        reader = part.file_object
        reader.seek(0)
        name = part.file_name.decode("utf-8", errors="replace") if part.file_name else None
        pairs.append((_name(part.field_name), Upload(name, reader.read())))
        part.close()

    headers = {"Content-Type": content_type.encode(), "Content-Length": str(len(body)).encode()}
    try:
        parse_form(headers, BytesIO(body), on_field, on_file)
    except (FormParserError, ValueError) as error:
        raise invalid(f"The multipart/form-data body could not be read: {error}") from None
    return assemble(pairs)


def _name(raw: bytes | None) -> str:
    return (raw or b"").decode("utf-8", errors="replace")


def _count(pairs: list[tuple[str, Any]]) -> None:
    if len(pairs) >= MAX_FIELDS:
        raise invalid(f"Too many parameters: a request may have at most {MAX_FIELDS}.")
