"""file -> Stripe JSON."""

from __future__ import annotations

from typing import Any

from seikyu.api.render.common import ts
from seikyu.db.models.files import StoredFile

OBJECT = "file"


def render_file(stored: StoredFile) -> dict[str, Any]:
    return {
        "id": stored.id,
        "object": OBJECT,
        "created": ts(stored.created),
        "expires_at": ts(stored.expires_at) if stored.expires_at is not None else None,
        "filename": stored.filename,
        # Seikyu makes no file links; the list is Stripe's shape, always empty.
        "links": {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/file_links?file={stored.id}",
        },
        "purpose": stored.purpose,
        "size": stored.size,
        "title": stored.title,
        "type": stored.type,
        "url": stored.url,
    }
