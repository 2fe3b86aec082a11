"""The 3D Secure page: where a customer sent by `next_action.redirect_to_url` completes or
fails the authentication that a test card's issuer asks for.

It stands in for the issuer's challenge, so it is plain HTML with two buttons, outside the
API: no API key, no JSON. The link's client secret is the customer's credential. After the
answer the customer goes back to the integration's `return_url`, or sees the result here.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qs

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from seikyu.api.pipeline import Pipeline
from seikyu.core.errors import SeikyuError
from seikyu.core.money import format_major
from seikyu.db.models.payment_intents import PaymentIntent
from seikyu.db.uow import Actor
from seikyu.payments import three_d_secure
from seikyu.payments.domain.authentication import PAGE_PREFIX, back_to_merchant

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}"
    "button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem .6rem .3rem 0}"
)


def routes(pipeline: Pipeline) -> list[Route]:
    async def page(request: Request) -> Response:
        intent_id = request.path_params["intent_id"]
        if request.method == "GET":
            secret = request.query_params.get("client_secret", "")
            return await to_thread.run_sync(_show, pipeline, intent_id, secret)
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        secret, outcome = form.get("client_secret", [""])[0], form.get("outcome", [""])[0]
        return await to_thread.run_sync(_answer, pipeline, intent_id, secret, outcome)

    return [Route(PAGE_PREFIX + "/{intent_id}", page, methods=["GET", "POST"])]


def _show(pipeline: Pipeline, intent_id: str, secret: str) -> Response:
    with pipeline.db.unit(readonly=True) as uow:
        intent = three_d_secure.for_customer(uow, intent_id, secret)
        if intent is None:
            return _page("Not found", "<p>This authentication link is not valid.</p>", 404)
        if not three_d_secure.waiting(intent):
            return _page("Nothing to authenticate", f"<p>{_status_line(intent)}</p>")
        what = (
            f"a payment of <strong>{html.escape(_amount(intent))}</strong>"
            if isinstance(intent, PaymentIntent)
            else "saving your card for later payments"
        )
        body = (
            f"<p>Your card issuer asks you to confirm {what}.</p>"
            '<form method="post">'
            f'<input type="hidden" name="client_secret" value="{html.escape(secret)}">'
            '<button name="outcome" value="complete">Complete authentication</button>'
            '<button name="outcome" value="fail">Fail authentication</button>'
            "</form>"
        )
        return _page("3D Secure authentication (test mode)", body)


def _answer(pipeline: Pipeline, intent_id: str, secret: str, outcome: str) -> Response:
    if outcome not in ("complete", "fail"):
        return _page("Bad request", "<p>Choose to complete or fail the authentication.</p>", 400)
    with pipeline.db.unit() as uow:
        intent = three_d_secure.for_customer(uow, intent_id, secret)
        if intent is None:
            return _page("Not found", "<p>This authentication link is not valid.</p>", 404)
        if not three_d_secure.waiting(intent):
            return _page("Nothing to authenticate", f"<p>{_status_line(intent)}</p>", 409)
        return_url = three_d_secure.return_url(intent)
        uow.actor = Actor(intent.account_id, intent.livemode)
        try:
            intent = three_d_secure.authenticate(
                uow, pipeline.processor, intent_id, completed=outcome == "complete"
            )
        except SeikyuError as error:
            return _page("Authentication failed", f"<p>{html.escape(error.message)}</p>", 409)
        succeeded = intent.status in ("succeeded", "requires_capture")
    if return_url is not None:
        target = back_to_merchant(return_url, intent.id, intent.client_secret, succeeded=succeeded)
        return RedirectResponse(target, status_code=303)
    return _page("Authentication finished", f"<p>{_status_line(intent)}</p>")


def _status_line(intent: three_d_secure.Intent) -> str:
    return f"{html.escape(intent.id)} is now <strong>{html.escape(intent.status)}</strong>."


def _amount(intent: PaymentIntent) -> str:
    return f"{format_major(intent.amount, intent.currency)} {intent.currency.upper()}"


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(document, status_code=status)
