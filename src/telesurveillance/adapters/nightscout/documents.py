"""Upload bodies: a JSON array of documents or a single document, possibly gzip-compressed.

Nightscout takes `POST /api/v1/entries` as one object (when it has `date`) or an array
(`lib/api/entries/index.js`), treatments and device statuses likewise (`lib/api/treatments`);
xDrip+ gzips its request bodies when it believes the server accepts it (its
`GzipRequestInterceptor`, guessed from an `Accept-Encoding` or `X-Powered-By: Express` response
header), and sends one device status as a single object.
"""

from __future__ import annotations

import json
import zlib
from typing import Any


class BodyError(ValueError):
    """A body we cannot read at all (the response is a 400 with this message)."""


#: The largest body a gzip upload may expand to (a compressed body is bounded by the server's
#: body limit; its expansion is bounded here).
MAX_EXPANDED = 64 * 1024 * 1024


def decode(
    raw: bytes, content_encoding: str | None = None, *, max_expanded: int = MAX_EXPANDED
) -> list[dict[str, Any]]:
    """The documents of an upload body, in order; an empty body is no document."""
    encoding = (content_encoding or "").strip().lower()
    if encoding == "gzip" or raw[:2] == b"\x1f\x8b":
        raw = _gunzip(raw, max_expanded)
    elif encoding not in ("", "identity"):
        raise BodyError(f"unsupported Content-Encoding {content_encoding!r}")
    if not raw.strip():
        return []
    try:
        body = json.loads(raw)
    except RecursionError:
        raise BodyError("body is JSON nested too deep") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise BodyError(f"body is not JSON: {error}") from None
    found = body if isinstance(body, list) else [body]
    for position, document in enumerate(found, start=1):
        if not isinstance(document, dict):
            raise BodyError(f"document {position} is not a JSON object")
    return found


def _gunzip(raw: bytes, limit: int) -> bytes:
    """The gzip body expanded, refused past `limit` bytes (a small body may expand a
    thousandfold)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        found = inflater.decompress(raw, limit + 1)
    except zlib.error as error:
        raise BodyError(f"body is not valid gzip: {error}") from None
    if len(found) > limit or inflater.unconsumed_tail:
        raise BodyError(f"gzip body expands beyond {limit} bytes")
    if not inflater.eof:
        raise BodyError("body is not valid gzip: truncated")
    return found
