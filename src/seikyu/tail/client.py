"""A small client for the list endpoints the tools poll."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx

# `logs tail` hides requests that carry this, so the tools' own polling is not shown.
USER_AGENT_PREFIX = "seikyu-cli/"

Query = list[tuple[str, str]]


def user_agent() -> str:
    try:
        return USER_AGENT_PREFIX + version("seikyu")
    except PackageNotFoundError:
        return USER_AGENT_PREFIX + "dev"


class ApiError(Exception):
    """The server answered with an error: the request or the key is wrong."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def lasting(self) -> bool:
        """Whether asking again cannot help (a bad key or filter), unlike a server fault."""
        return self.status < 500 and self.status != 429


class Unreachable(Exception):
    """No answer from the server (not running, restarting, network down)."""


class ApiClient:
    def __init__(self, api_base: str, api_key: str, *, timeout: float = 30.0) -> None:
        self._http = httpx.Client(
            base_url=api_base.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": user_agent()},
            timeout=timeout,
        )

    def get(self, path: str, query: Query) -> dict[str, Any]:
        try:
            response = self._http.get(path, params=tuple(query))
        except httpx.TransportError as error:
            raise Unreachable(f"cannot reach {self._http.base_url}: {error}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict):
            raise ApiError(response.status_code, _message(response, body))
        return body

    def close(self) -> None:
        self._http.close()


def _message(response: httpx.Response, body: object) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        param = error.get("param")
        where = f" ({param})" if isinstance(param, str) else ""
        return f"{response.status_code}: {error['message']}{where}"
    return f"{response.status_code}: {response.text[:200]}"
