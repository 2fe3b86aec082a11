"""/v1/test_helpers/{payment,setup}_intents/{id}/authenticate (a Seikyu extension)

What the 3D Secure page's two buttons do, for tests that have no browser: `outcome=complete`
or `outcome=fail` answers the authentication an intent in requires_action waits for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from seikyu.api import registry
from seikyu.api.params import Expandable
from seikyu.api.routing import Call, Router
from seikyu.core.errors import no_such
from seikyu.payments import three_d_secure

router = Router()


class Authenticate(Expandable):
    outcome: Literal["complete", "fail"]


def _authenticator(kind: str, prefix: str) -> Callable[[Call[Authenticate]], dict[str, Any]]:
    def authenticate(call: Call[Authenticate]) -> dict[str, Any]:
        three_d_secure.require_test_mode(call.uow)
        intent_id = call.path["id"]
        if not intent_id.startswith(prefix):
            raise no_such(kind, intent_id)
        completed = call.params.outcome == "complete"
        intent = three_d_secure.authenticate(
            call.uow, call.processor, intent_id, completed=completed
        )
        return registry.render(intent)

    return authenticate


for _kind, _prefix in (("payment_intent", "pi_"), ("setup_intent", "seti_")):
    router.post(f"/v1/test_helpers/{_kind}s/{{id}}/authenticate", Authenticate)(
        _authenticator(_kind, _prefix)
    )
