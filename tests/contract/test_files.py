"""Files through the official SDK: uploads as multipart to the `files` base address, each
purpose's types, sizes and expiry, retrieval, lists, downloads of the exact bytes, and
files named as dispute evidence."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import stripe

from seikyu.core.errors import SeikyuError
from seikyu.core.periods import add_months
from seikyu.db.uow import Actor, Database
from seikyu.files import service as files
from seikyu.worker.maintenance import delete_expired_files
from tests.conftest import TestAccount
from tests.contract.test_disputes import disputed, events_of
from tests.contract.test_request_logs import log_of, request_id
from tests.support.errors import assert_error, error_of
from tests.support.server import ServerProcess

FILE_FIELDS = {
    "id",
    "object",
    "created",
    "expires_at",
    "filename",
    "links",
    "purpose",
    "size",
    "title",
    "type",
    "url",
}
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'


def upload(
    client: stripe.StripeClient,
    data: bytes = PDF,
    purpose: str = "dispute_evidence",
    name: str | None = "receipt.pdf",
) -> stripe.File:
    stream = io.BytesIO(data)
    if name is not None:
        stream.name = name  # type: ignore[attr-defined]  # how the SDK learns a file's name
    return client.v1.files.create(params={"purpose": purpose, "file": stream})  # type: ignore[typeddict-item]


def download(file: stripe.File, secret: str) -> httpx.Response:
    assert file.url is not None
    return httpx.get(file.url, auth=(secret, ""))


def test_an_upload_is_a_file_object_with_its_type_read_from_its_bytes(
    client: stripe.StripeClient,
) -> None:
    file = upload(client)

    assert set(file.to_dict()) == FILE_FIELDS
    assert file.id.startswith("file_")
    assert (file.object, file.purpose, file.type, file.size, file.filename, file.title) == (
        "file",
        "dispute_evidence",
        "pdf",
        len(PDF),
        "receipt.pdf",
        None,
    )
    assert file.url is not None
    assert file.url.endswith(f"/v1/files/{file.id}/contents")
    assert file.links is not None
    assert (file.links.data, file.links.has_more) == ([], False)


@pytest.mark.parametrize(
    ("data", "purpose", "kind"),
    [
        (PDF, "dispute_evidence", "pdf"),
        (PNG, "dispute_evidence", "png"),
        (JPEG, "dispute_evidence", "jpg"),
        (SVG, "customer_signature", "svg"),
        (GIF, "business_logo", "gif"),
        (PNG, "business_icon", "png"),
    ],
)
def test_each_purpose_takes_its_types(
    client: stripe.StripeClient, data: bytes, purpose: str, kind: str
) -> None:
    assert upload(client, data, purpose, name="upload.bin").type == kind


def test_a_renamed_file_is_typed_by_its_content_not_its_name(client: stripe.StripeClient) -> None:
    assert upload(client, PNG, name="scan.pdf").type == "png"


def test_a_file_without_a_name_is_named_after_its_type(client: stripe.StripeClient) -> None:
    # The SDK names a stream without a `name` "blob"; the directories of a path are dropped.
    assert upload(client, PDF, name="/home/ana/evidence/receipt.pdf").filename == "receipt.pdf"
    assert upload(client, PDF, name=None).filename == "blob"


def test_dispute_evidence_is_kept_nine_months_a_signature_seven_days_a_logo_for_good(
    client: stripe.StripeClient,
) -> None:
    evidence = upload(client)
    signature = upload(client, PNG, "customer_signature")
    logo = upload(client, PNG, "business_logo")

    created = datetime.fromtimestamp(evidence.created, UTC)
    assert evidence.expires_at == int(add_months(created, 9).timestamp())
    assert signature.expires_at == signature.created + 7 * 86_400
    assert logo.expires_at is None


def test_the_download_is_the_exact_bytes_for_the_secret_key_only(
    client: stripe.StripeClient, server: ServerProcess, account: object
) -> None:
    data = PDF + bytes(range(256)) * 40
    file = upload(client, data)
    secret = client._requestor.api_key  # type: ignore[attr-defined]

    found = download(file, str(secret))
    anonymous = httpx.get(str(file.url))

    assert found.status_code == 200
    assert found.content == data
    assert found.headers["content-type"] == "application/pdf"
    assert found.headers["content-disposition"] == 'attachment; filename="receipt.pdf"'
    assert anonymous.status_code == 401


def test_retrieve_and_list_by_purpose_newest_first(client: stripe.StripeClient) -> None:
    first = upload(client)
    logo = upload(client, PNG, "business_logo")
    second = upload(client, JPEG)

    assert client.v1.files.retrieve(first.id).to_dict() == first.to_dict()
    assert [f.id for f in client.v1.files.list().data] == [second.id, logo.id, first.id]
    listed = client.v1.files.list(params={"purpose": "dispute_evidence", "limit": 1})
    assert ([f.id for f in listed.data], listed.has_more) == ([second.id], True)
    after = client.v1.files.list(
        params={"purpose": "dispute_evidence", "starting_after": second.id}
    )
    assert [f.id for f in after.data] == [first.id]


def test_an_upload_records_file_created(client: stripe.StripeClient) -> None:
    file = upload(client)

    [event] = client.v1.events.list(params={"type": "file.created"}).data
    assert event.data.object["id"] == file.id
    assert event.data.object["size"] == len(PDF)


def test_an_upload_retried_with_its_idempotency_key_is_the_same_file(
    client: stripe.StripeClient,
) -> None:
    options: dict[str, str] = {"idempotency_key": "upload-1"}
    params = {"purpose": "dispute_evidence"}
    first = client.v1.files.create(
        params={**params, "file": io.BytesIO(PDF)},  # type: ignore[typeddict-item]
        options=options,  # type: ignore[arg-type]
    )
    again = client.v1.files.create(
        params={**params, "file": io.BytesIO(PDF)},  # type: ignore[typeddict-item]
        options=options,  # type: ignore[arg-type]
    )
    other = error_of(
        lambda: client.v1.files.create(
            params={**params, "file": io.BytesIO(PNG)},  # type: ignore[typeddict-item]
            options=options,  # type: ignore[arg-type]
        )
    )

    assert again.id == first.id
    assert isinstance(other, stripe.IdempotencyError)
    assert [f.id for f in client.v1.files.list().data] == [first.id]


def test_an_expired_file_is_not_served_nor_usable_and_maintenance_deletes_it(
    client: stripe.StripeClient, db: Database, account: TestAccount
) -> None:
    signature = upload(client, PNG, "customer_signature")
    evidence = upload(client)
    assert signature.expires_at is not None
    expiry = datetime.fromtimestamp(signature.expires_at, UTC)

    with db.unit(Actor(account.id), now=expiry - timedelta(seconds=1)) as uow:
        assert files.download(uow, signature.id).data == PNG
    with db.unit(Actor(account.id), now=expiry) as uow:
        with pytest.raises(SeikyuError) as gone:
            files.download(uow, signature.id)
        assert gone.value.code == "resource_missing"
        with pytest.raises(SeikyuError) as refused:
            files.usable(uow, signature.id, "customer_signature", param="evidence[x]")
        assert refused.value.param == "evidence[x]"
    delete_expired_files(db, now=expiry - timedelta(seconds=1))
    assert client.v1.files.retrieve(signature.id).id == signature.id
    # The database is shared: other tests' signatures may expire with this one.
    assert delete_expired_files(db, now=expiry) >= 1

    assert [f.id for f in client.v1.files.list().data] == [evidence.id]
    assert isinstance(
        error_of(lambda: client.v1.files.retrieve(signature.id)), stripe.InvalidRequestError
    )


# --- files as dispute evidence --------------------------------------------------------------


def test_an_uploaded_file_answers_a_dispute_and_expands_to_the_file(
    client: stripe.StripeClient,
) -> None:
    dispute = disputed(client)
    receipt = upload(client)

    updated = client.v1.disputes.update(
        dispute.id,
        params={
            "evidence": {"receipt": receipt.id, "uncategorized_text": "winning_evidence"},
            "expand": ["evidence.receipt"],
        },
    )

    assert updated.status == "won"
    assert updated.evidence.receipt.id == receipt.id  # type: ignore[union-attr]
    assert updated.evidence.receipt.object == "file"  # type: ignore[union-attr]
    assert client.v1.disputes.retrieve(dispute.id).evidence.receipt == receipt.id
    [created, *_] = events_of(client, "charge.dispute.updated")
    assert created.data.object["evidence"]["receipt"] == receipt.id


@pytest.mark.parametrize("field", ["receipt", "uncategorized_file", "customer_signature"])
def test_evidence_must_name_a_dispute_evidence_file_of_this_account(
    client: stripe.StripeClient, field: str
) -> None:
    dispute = disputed(client)
    logo = upload(client, PNG, "business_logo")

    wrong_purpose = error_of(
        lambda: client.v1.disputes.update(dispute.id, params={"evidence": {field: logo.id}})
    )
    missing = error_of(
        lambda: client.v1.disputes.update(
            dispute.id, params={"evidence": {field: "file_nonexistent"}}
        )
    )

    assert_error(wrong_purpose, code=None, param=f"evidence[{field}]")
    assert_error(missing, code="resource_missing", param=f"evidence[{field}]")
    assert client.v1.disputes.retrieve(dispute.id).evidence[field] is None


def test_the_request_log_shows_an_upload_by_name_and_size_never_its_bytes(
    http: httpx.Client,
) -> None:
    response = http.post(
        "/v1/files",
        data={"purpose": "dispute_evidence"},
        files={"file": ("statement.pdf", PDF, "application/pdf")},
    )

    logged = log_of(http, request_id(response))
    assert response.status_code == 200
    assert logged["request_params"] == {
        "purpose": "dispute_evidence",
        "file": f"[file statement.pdf, {len(PDF)} bytes]",
    }
    assert logged["related_object"] == response.json()["id"]
