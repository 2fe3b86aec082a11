"""Every files endpoint refuses bad input with Stripe's 400 naming the parameter: missing,
unknown, of the wrong type or shape, out of range, a file its purpose does not take; and a
refused upload stores nothing and records no event."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
import stripe

from seikyu.accounts import service as accounts
from seikyu.db.uow import Database
from seikyu.files.domain.file_kinds import KIB, MIB
from tests.contract.test_files import GIF, PDF, PNG, upload
from tests.support.server import ServerProcess

ROUTE = "/v1/files"


def _error(response: httpx.Response) -> tuple[int, str | None, str | None]:
    error: dict[str, Any] = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    return response.status_code, error.get("code"), error.get("param")


def _multipart(
    http: httpx.Client, fields: dict[str, str], file: bytes | None = PDF
) -> httpx.Response:
    files = {"file": ("upload.pdf", file, "application/octet-stream")} if file is not None else None
    if files is None:
        # httpx sends a form body without files; a lone boundary part keeps it multipart.
        files = {"unused_part": ("", b"", "application/octet-stream")}
    return http.post(ROUTE, data=fields, files=files)


def _nothing_stored(client: stripe.StripeClient) -> None:
    assert client.v1.files.list().data == []
    assert client.v1.events.list(params={"type": "file.created"}).data == []


# --- POST /v1/files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "file", "code", "param"),
    [
        ({}, PDF, "parameter_missing", "purpose"),
        ({"purpose": "dispute_evidence"}, None, "parameter_unknown", "unused_part"),
        ({"purpose": "dispute_evidence", "colour": "red"}, PDF, "parameter_unknown", "colour"),
        ({"purpose": "refund_evidence"}, PDF, None, "purpose"),
        ({"purpose": "identity_document"}, PDF, None, "purpose"),
        ({"purpose": ""}, PDF, "parameter_invalid_empty", "purpose"),
        ({"purpose[a]": "dispute_evidence"}, PDF, "parameter_invalid_string", "purpose"),
        ({"purpose": "dispute_evidence"}, b"", None, "file"),
        ({"purpose": "dispute_evidence"}, b"MZ\x90\x00 an executable", "file_invalid", "file"),
        ({"purpose": "dispute_evidence"}, GIF, "file_invalid", "file"),
        ({"purpose": "business_logo"}, PDF, "file_invalid", "file"),
        (
            {"purpose": "dispute_evidence", "file_link_data[create]": "true"},
            PDF,
            None,
            "file_link_data[create]",
        ),
        (
            {"purpose": "dispute_evidence", "file_link_data[create]": "maybe"},
            PDF,
            "parameter_invalid_boolean",
            "file_link_data[create]",
        ),
        (
            {"purpose": "dispute_evidence", "file_link_data[expires_at]": "1"},
            PDF,
            "parameter_missing",
            "file_link_data[create]",
        ),
        (
            {"purpose": "dispute_evidence", "expand[]": "links"},
            PDF,
            None,
            "expand",
        ),
    ],
)
def test_a_bad_upload_is_refused_naming_the_parameter(
    http: httpx.Client,
    client: stripe.StripeClient,
    fields: dict[str, str],
    file: bytes | None,
    code: str | None,
    param: str,
) -> None:
    response = _multipart(http, fields, file)

    assert _error(response) == (400, code, param), response.json()
    _nothing_stored(client)


def test_the_file_is_required(http: httpx.Client, client: stripe.StripeClient) -> None:
    response = http.post(ROUTE, files={"purpose": (None, b"dispute_evidence")})

    assert _error(response) == (400, "parameter_missing", "file")
    _nothing_stored(client)


def test_a_file_sent_as_a_form_string_is_refused(
    http: httpx.Client, client: stripe.StripeClient
) -> None:
    response = http.post(ROUTE, data={"purpose": "dispute_evidence", "file": "%PDF-1.4 ..."})

    assert _error(response) == (400, None, "file")
    assert "multipart/form-data" in response.json()["error"]["message"]
    _nothing_stored(client)


@pytest.mark.parametrize(
    ("purpose", "limit", "data"),
    [("dispute_evidence", 5 * MIB, PDF), ("business_logo", 512 * KIB, PNG)],
)
def test_a_file_over_its_purpose_limit_is_refused_and_one_at_it_is_taken(
    client: stripe.StripeClient, purpose: str, limit: int, data: bytes
) -> None:
    over = data + b"\x00" * (limit + 1 - len(data))

    with pytest.raises(stripe.InvalidRequestError) as refused:
        upload(client, over, purpose)
    assert (refused.value.code, refused.value.param) == ("file_too_large", "file")
    _nothing_stored(client)

    assert upload(client, over[:-1], purpose).size == limit


def test_a_body_far_over_every_limit_is_refused_before_it_is_read(
    http: httpx.Client, client: stripe.StripeClient
) -> None:
    response = _multipart(http, {"purpose": "dispute_evidence"}, PDF + b"\x00" * (7 * MIB))

    assert _error(response) == (400, "file_too_large", "file")
    _nothing_stored(client)


def test_a_malformed_multipart_body_is_a_400(
    http: httpx.Client, client: stripe.StripeClient
) -> None:
    response = http.post(
        ROUTE,
        content=b'--abc\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nx',
        headers={"Content-Type": "multipart/form-data"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    _nothing_stored(client)


# --- GET /v1/files, /v1/files/{id}, /v1/files/{id}/contents -----------------------------


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ({"colour": "red"}, "parameter_unknown", "colour"),
        ({"limit": "0"}, "parameter_invalid_integer", "limit"),
        ({"limit": "101"}, "parameter_invalid_integer", "limit"),
        ({"limit": "ten"}, "parameter_invalid_integer", "limit"),
        ({"purpose[x]": "dispute_evidence"}, "parameter_invalid_string", "purpose"),
        ({"created[gt]": "soon"}, "parameter_invalid_integer", "created[gt]"),
    ],
)
def test_a_bad_list_is_refused(
    http: httpx.Client, query: dict[str, str], code: str | None, param: str
) -> None:
    assert _error(http.get(ROUTE, params=query)) == (400, code, param)


def test_an_unknown_file_is_a_404_on_every_read(http: httpx.Client) -> None:
    for path in (f"{ROUTE}/file_missing", f"{ROUTE}/file_missing/contents"):
        response = http.get(path)
        error = response.json()["error"]
        assert (response.status_code, error["code"], error["param"]) == (
            404,
            "resource_missing",
            "id",
        )


def test_a_file_of_another_account_cannot_be_read(
    client: stripe.StripeClient, db: Database, server: ServerProcess
) -> None:
    file = upload(client)
    with db.unit() as uow:
        other = accounts.create_account(uow, name="other")
        uow.session.flush()
        key = accounts.create_key(uow, other.id)
    stranger = stripe.StripeClient(
        key.secret, base_addresses={"api": server.url, "files": server.url}, max_network_retries=0
    )

    with pytest.raises(stripe.InvalidRequestError) as missing:
        stranger.v1.files.retrieve(file.id)
    download = httpx.get(str(file.url), auth=(key.secret, ""))

    assert missing.value.http_status == 404
    assert download.status_code == 404
    assert stranger.v1.files.list().data == []


def test_the_download_takes_no_parameters(http: httpx.Client, client: stripe.StripeClient) -> None:
    file = upload(client)

    response = http.get(f"{ROUTE}/{file.id}/contents", params={"expand[]": "links"})

    assert _error(response) == (400, "parameter_unknown", "expand")


def test_an_sdk_upload_with_a_stream_that_is_not_a_file_is_refused(
    client: stripe.StripeClient,
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.files.create(params={"purpose": "dispute_evidence", "file": "not a stream"})  # type: ignore[typeddict-item]

    assert refused.value.param == "file"
    assert client.v1.files.list().data == []


def test_nothing_is_kept_of_a_refused_upload_and_a_later_one_succeeds(
    client: stripe.StripeClient,
) -> None:
    with pytest.raises(stripe.InvalidRequestError):
        upload(client, io.BytesIO(b"nope").getvalue())

    assert upload(client).type == "pdf"
    assert len(client.v1.files.list().data) == 1
