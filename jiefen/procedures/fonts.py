"""The CJK font generated PDFs embed, so that any viewer shows them as printed.

reportlab embeds (a subset of) TrueType fonts only: a font with PostScript (CFF) outlines, such
as Noto Sans CJK's .ttc, cannot be embedded by it. The font is, in order:

1. the file named by the setting JIEFEN_PDF_FONT (a .ttf, or a .ttc whose first face is used);
2. the font jiefen ships: WenQuanYi Micro Hei (`procedures/fonts/wqy-microhei.ttc`, Apache-2.0,
   see its LICENSE file beside it), so that a fresh install embeds a font with nothing else
   installed;
3. a known free CJK font with TrueType outlines from the system: WenQuanYi Micro Hei
   (Debian `fonts-wqy-microhei`, Apache-2.0 or GPL-3 with the font exception), WenQuanYi Zen
   Hei, AR PL UMing/UKai (Arphic Public License), Droid Sans Fallback (Apache-2.0);
4. any other CJK font fontconfig lists (`fc-list :lang=zh`) that reportlab can embed;
5. else reportlab's built-in STSong-Light (Adobe-GB1 CID font): not embedded — a viewer needs
   its own Chinese font, which most have. `pdf_font().embedded` tells which case applies.

Nothing is downloaded. docs/documents.md says how to choose another font.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

SHIPPED = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
CANDIDATES = (
    str(SHIPPED),
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallback.ttf",
)
CID_FALLBACK = "STSong-Light"
EMBEDDED_NAME = "JiefenCJK"


@dataclass(frozen=True)
class PdfFont:
    name: str  # the name registered with reportlab
    embedded: bool
    path: str = ""


def _fontconfig_files() -> list[str]:
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})


def _try(path: str) -> PdfFont | None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if not path or not Path(path).is_file():
        return None
    try:
        font = TTFont(EMBEDDED_NAME, path, subfontIndex=0)
    except (TTFError, OSError, ValueError, KeyError, IndexError, AssertionError):
        return None  # PostScript outlines, a damaged file, …: not embeddable by reportlab
    if not font.face.charToGlyph.get(ord("调")):
        return None  # no Chinese in it
    pdfmetrics.registerFont(font)
    return PdfFont(EMBEDDED_NAME, True, path)


@lru_cache(maxsize=4)
def _find(configured: str) -> PdfFont:
    for path in (configured, *CANDIDATES):
        found = _try(path)
        if found is not None:
            return found
    for path in _fontconfig_files():
        if path.lower().endswith((".ttf", ".ttc")) and (found := _try(path)) is not None:
            return found
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return PdfFont(CID_FALLBACK, False)


def pdf_font() -> PdfFont:
    """The font for generated PDFs (looked up once per process and setting)."""
    return _find(getattr(settings, "JIEFEN_PDF_FONT", "") or "")
