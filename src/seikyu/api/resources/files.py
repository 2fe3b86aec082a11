"""/v1/files: upload (multipart), retrieve, list, and download a file's contents."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, PlainValidator

from seikyu.api import lists, registry
from seikyu.api.params import Expandable, ListParams, Metadata, Params, Timestamp, bad
from seikyu.api.render.file import OBJECT, render_file
from seikyu.api.routing import Call, RawResponse, Router
from seikyu.core.errors import invalid
from seikyu.db.models.files import StoredFile
from seikyu.files import service
from seikyu.files.domain.upload import Upload

router = Router()

Str = Annotated[str, Field(max_length=5000)]


def _upload(value: Any) -> Upload:
    if not isinstance(value, Upload):
        raise bad(
            "Invalid file: send it as a file part of a multipart/form-data request, as the "
            "Stripe libraries do."
        )
    return value


class FileLinkData(Params):
    create: bool
    expires_at: Timestamp | None = None
    metadata: Metadata | None = None


class FileCreate(Expandable):
    file: Annotated[Upload, PlainValidator(_upload)]
    purpose: Str
    file_link_data: FileLinkData | None = None


class FileList(ListParams):
    purpose: Str | None = None


@router.post("/v1/files", FileCreate)
def create(call: Call[FileCreate]) -> dict[str, Any]:
    params = call.params
    if params.file_link_data is not None and params.file_link_data.create:
        raise invalid(
            "Seikyu makes no file links: download a file from its `url` with a secret key.",
            param="file_link_data[create]",
        )
    stored = service.create(call.uow, params.file, params.purpose, base_url=call.base_url)
    return render_file(stored)


@router.get("/v1/files", FileList)
def list_files(call: Call[FileList]) -> dict[str, Any]:
    page = service.page(call.uow, lists.window(call.params), purpose=call.params.purpose)
    return lists.envelope(call.url, page, render_file)


@router.get("/v1/files/{id}", Expandable)
def retrieve(call: Call[Expandable]) -> dict[str, Any]:
    return render_file(service.get(call.uow, call.path["id"]))


@router.get("/v1/files/{id}/contents", Params)
def contents(call: Call[Params]) -> RawResponse:
    found = service.download(call.uow, call.path["id"])
    return RawResponse(
        found.data,
        found.media_type,
        {"Content-Disposition": f'attachment; filename="{_quoted(found.filename)}"'},
    )


def _quoted(name: str) -> str:
    """A header-safe filename: no quote, backslash or control character can end it early."""
    return "".join(c if c.isprintable() and c not in '"\\' else "_" for c in name)


registry.register(
    registry.ObjectSpec(
        name=OBJECT,
        prefix=service.PREFIX,
        model=StoredFile,
        render=render_file,
        load=service.find,
        expandable=frozenset(),
    )
)
