"""The theme's colours meet WCAG AA contrast in both schemes, and the stylesheet loads nothing
from elsewhere."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

CSS = ROOT / "theme" / "static" / "css" / "site.css"
# (text, background, minimum ratio): body text and links need 4.5:1 (WCAG 1.4.3 AA); the focus
# ring, a non-text indicator, needs 3:1 (WCAG 1.4.11).
PAIRS = [
    ("--fg", "--bg", 4.5),
    ("--fg", "--surface", 4.5),
    ("--muted", "--bg", 4.5),
    ("--muted", "--surface", 4.5),
    ("--accent", "--bg", 4.5),
    ("--accent", "--surface", 4.5),
    ("--accent-fg", "--accent", 4.5),
    ("--fg", "--surface-2", 4.5),
    ("--notice-fg", "--notice-bg", 4.5),
    ("--ok", "--bg", 4.5),
    ("--warn", "--bg", 4.5),
    ("--bad", "--bg", 4.5),
    ("--focus", "--bg", 3.0),
]


def _palettes() -> dict[str, dict[str, str]]:
    text = CSS.read_text(encoding="utf-8")
    light_block = re.search(r":root\s*{(.*?)}", text, re.S).group(1)
    dark_block = re.search(
        r"@media \(prefers-color-scheme: dark\)\s*{\s*:root\s*{(.*?)}", text, re.S
    ).group(1)

    def colours(block: str) -> dict[str, str]:
        return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))

    light = colours(light_block)
    return {"light": light, "dark": {**light, **colours(dark_block)}}


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("fg", "bg", "minimum"), PAIRS)
def test_palette_meets_wcag_aa(scheme: str, fg: str, bg: str, minimum: float) -> None:
    palette = _palettes()[scheme]
    ratio = contrast(palette[fg], palette[bg])
    assert ratio >= minimum, f"{scheme}: {fg} on {bg} is {ratio:.2f}:1, needs {minimum}:1"


def test_dark_scheme_redefines_every_colour() -> None:
    palettes = _palettes()
    light_colours = set(_palettes()["light"])
    dark_block = CSS.read_text(encoding="utf-8").split("prefers-color-scheme: dark", 1)[1]
    redefined = set(re.findall(r"(--[\w-]+):\s*#", dark_block))
    assert light_colours == redefined
    assert palettes["light"]["--bg"] != palettes["dark"]["--bg"]


def test_stylesheet_uses_system_fonts_only() -> None:
    text = CSS.read_text(encoding="utf-8")
    assert "@font-face" not in text and "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)
    assert ".notice-demo" in text and ":focus-visible" in text and ".skip-link" in text


def test_custom_properties_are_documented_at_the_top() -> None:
    header = CSS.read_text(encoding="utf-8").split("*/", 1)[0]
    for name in _palettes()["light"]:
        assert name in header or f"{name.rsplit('-', 1)[0]}-1" in header, f"{name} undocumented"


def test_favicon_svg_is_self_contained() -> None:
    svg = (ROOT / "theme/static/img/favicon.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "href" not in svg and "<script" not in svg
