"""Shields-style SVG badges (``/badges/<slug>/<metric>.svg``), built at build time.

Two boxes, label and value, sized from the text (an estimate of 6.5 px per character of
11 px Verdana, as shields.io's flat style); the whole badge is named by <title> and
``aria-label``. Every text is escaped: names come from the registry.
"""

from __future__ import annotations

from markupsafe import escape

CHAR_WIDTH = 6.5
PADDING = 10
LABEL_FILL = "#555"
VALUE_FILL = "#1f6f8b"
MISSING_FILL = "#9f9f9f"


def _width(text: str) -> int:
    return int(round(len(text) * CHAR_WIDTH + PADDING))


def badge_width(label: str, value: str) -> int:
    """The width in px of the badge of ``label`` and ``value`` (its height is 20)."""
    return _width(label) + _width(value)


def badge_svg(label: str, value: str, title: str, *, missing: bool = False) -> str:
    """The SVG text of one badge. ``title`` is the accessible name ("Python members: 1,500")."""
    left, right = _width(label), _width(value)
    total = left + right
    fill = MISSING_FILL if missing else VALUE_FILL
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" '
        f'viewBox="0 0 {total} 20" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{left}" height="20" fill="{LABEL_FILL}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{fill}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" '
        'font-size="11" aria-hidden="true">'
        f'<text x="{left / 2}" y="14">{escape(label)}</text>'
        f'<text x="{left + right / 2}" y="14">{escape(value)}</text></g></svg>\n'
    )
