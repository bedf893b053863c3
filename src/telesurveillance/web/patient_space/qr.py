"""The QR code of an access link, rendered on the server as inline SVG (segno, ISO/IEC 18004)
so that no script draws it and the page's CSP holds."""

from __future__ import annotations

import segno


def svg(url: str, title: str) -> str:
    """The SVG element of `url`'s QR code (error correction M: 15 % of the code may be
    damaged), sized by its viewBox so that CSS scales it."""
    code = segno.make(url, error="m", micro=False)
    return str(code.svg_inline(scale=4, border=4, omitsize=True, title=title, svgclass="qr"))
