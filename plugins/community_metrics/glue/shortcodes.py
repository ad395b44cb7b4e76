"""Live numbers and charts inside markdown posts.

Syntax (one line, inside a paragraph; never inside code spans or code blocks)::

    {metric SLUG METRIC}            the value as of the post's date (newest on or before it)
    {metric SLUG METRIC latest}     the newest value in the history
    {chart SLUG METRIC}             the whole history up to the post's date
    {chart SLUG METRIC 90d}         the last 90 days up to the post's date (also 7d, 1y, 2y, all)
    {chart SLUG METRIC 90d latest}  the last 90 days up to the newest snapshot

SLUG is a community of the registry, METRIC a name of the metric vocabulary (members,
active_30d, posts, ...). Values are the community's rollup over its platforms. The shortcodes
are replaced in the post's HTML after the history is loaded; an unknown community, metric or
option is a ``ShortcodeProblem`` naming the post file and line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from markupsafe import escape

from community_metrics.contract.model import METRICS, SLUG_RE
from community_metrics.render.shortcode import Shortcode

SHORTCODE_RE = re.compile(r"\{(metric|chart)\s+([^{}\n]*?)\s*\}")
# Regions whose text is shown literally: shortcodes there are documentation, not calls.
_LITERAL_RE = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_WINDOW_RE = re.compile(r"^(\d{1,4})([dy])$")


@dataclass(frozen=True)
class ShortcodeProblem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def parse_shortcode(kind: str, arguments: str) -> Shortcode:
    """Parse the words after ``metric``/``chart``; ``ValueError`` says what is wrong."""
    words = html.unescape(arguments).split()
    if len(words) < 2:
        raise ValueError(
            f"{{{kind} ...}} needs a community and a metric, e.g. {{{kind} python members}}"
        )
    community, metric, *options = words
    if not SLUG_RE.match(community):
        raise ValueError(f"{community!r} is not a community slug")
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r} (known: {', '.join(METRICS)})")
    latest = False
    window: int | None = None
    for option in options:
        if option == "latest":
            latest = True
        elif kind == "chart" and option == "all":
            window = None
        elif kind == "chart" and (found := _WINDOW_RE.match(option)):
            count, unit = int(found.group(1)), found.group(2)
            window = count * (365 if unit == "y" else 1)
            if window == 0:
                raise ValueError(f"a chart window must be at least 1 day, got {option!r}")
        else:
            allowed = "latest" if kind == "metric" else "latest, all, or a window like 90d or 1y"
            raise ValueError(f"unknown option {option!r} in {{{kind} ...}} (allowed: {allowed})")
    return Shortcode(kind, community, metric, latest, window)


_INLINE_CODE_RE = re.compile(r"(`+).*?\1")
_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")


def _source_lines(source_text: str) -> list[tuple[str, int]]:
    """Every shortcode in the markdown source outside code, normalised, with its 1-based line."""
    found = []
    in_fence = False
    for number, line in enumerate(source_text.splitlines(), start=1):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for match in SHORTCODE_RE.finditer(_INLINE_CODE_RE.sub("", line)):
            found.append((f"{match.group(1)} {' '.join(match.group(2).split())}", number))
    return found


class _LineFinder:
    """Map shortcodes found in the HTML back to lines of the markdown source, in order."""

    def __init__(self, source_text: str):
        self._pending = _source_lines(source_text)

    def line_of(self, kind: str, arguments: str) -> int | None:
        key = f"{kind} {' '.join(html.unescape(arguments).split())}"
        for index, (text, line) in enumerate(self._pending):
            if text == key:
                del self._pending[index]
                return line
        return None


def _outside_literals(content: str) -> Iterable[tuple[bool, str]]:
    """Split HTML into (is_literal, chunk) pieces; code and pre are literal."""
    position = 0
    for match in _LITERAL_RE.finditer(content):
        yield False, content[position : match.start()]
        yield True, match.group(0)
        position = match.end()
    yield False, content[position:]


def has_shortcodes(content: str) -> bool:
    return any(
        not literal and SHORTCODE_RE.search(chunk) for literal, chunk in _outside_literals(content)
    )


Renderer = Callable[[Shortcode, date], str]


def replace_shortcodes(
    content: str,
    *,
    source_text: str,
    source_path: str,
    post_date: date,
    known_communities: Iterable[str],
    render: Renderer,
) -> tuple[str, list[ShortcodeProblem]]:
    """Replace every shortcode of a post's HTML with ``render(shortcode, post_date)``.

    A shortcode that cannot be rendered becomes a visible placeholder and a problem naming the
    post file and line; the caller decides whether problems fail the build.
    """
    known = set(known_communities)
    lines = _LineFinder(source_text)
    problems: list[ShortcodeProblem] = []

    def substitute(match: re.Match[str]) -> str:
        kind, arguments = match.group(1), match.group(2)
        line = lines.line_of(kind, arguments)
        try:
            shortcode = parse_shortcode(kind, arguments)
            if shortcode.community not in known:
                raise ValueError(
                    f"unknown community {shortcode.community!r}: "
                    "add it to the registry or fix the slug"
                )
        except ValueError as exc:
            problems.append(ShortcodeProblem(source_path, line, f"{match.group(0)}: {exc}"))
            return (
                '<span class="pulse-placeholder" role="note">'
                f"[{escape(match.group(0))}: {escape(str(exc))}]</span>"
            )
        return render(shortcode, post_date)

    pieces = [
        chunk if literal else SHORTCODE_RE.sub(substitute, chunk)
        for literal, chunk in _outside_literals(content)
    ]
    return "".join(pieces), problems
