"""解纷码: the QR codes that open the portal (segno, SVG).

A case's code opens the portal's tracking page with the case number filled in: the query code
and the one-time code sent to the applicant's phone are still asked, so the QR itself reveals
nothing about the case. A poster's code (for a centre's or a village's wall) opens the portal's
application form with its region filled in. Every address starts from the setting
JIEFEN_PORTAL_URL (the portal as the public reaches it), never from the request's host.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.conf import settings


def portal_url(path: str = "", **query: str) -> str:
    """An address under the portal's public base (JIEFEN_PORTAL_URL)."""
    base = settings.JIEFEN_PORTAL_URL.rstrip("/") + "/"
    url = base + path.lstrip("/")
    return url + ("?" + urlencode(query) if query else "")


def case_url(number: str) -> str:
    """The portal page of a case (behind the query code and a one-time code)."""
    return portal_url("track/", number=number)


def poster_url(region_code: str) -> str:
    """The portal's application form with a region (town or village) filled in."""
    return portal_url("", region=region_code)


def svg(data: str, *, scale: int = 4) -> str:
    """The QR code of `data` as a standalone SVG document (error correction M, quiet zone 4)."""
    import segno

    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(
        out, kind="svg", scale=scale, border=4, xmldecl=True, svgclass="qr", title=data[:200]
    )
    return out.getvalue().decode()


def svg_inline(data: str, *, scale: int = 4) -> str:
    """The same code as an <svg> element to put in a page (no XML declaration)."""
    import segno

    return segno.make(data, error="m", micro=False).svg_inline(scale=scale, border=4, svgclass="qr")
