"""Live numbers and charts inside markdown posts.

Syntax (one line, inside a paragraph; never inside code spans or code blocks)::

    {metric SLUG METRIC}            the value as of the post's date (newest on or before it)
    {metric SLUG METRIC latest}     the newest value in the history
    {chart SLUG METRIC}             the whole history up to the post's date
    {chart SLUG METRIC 90d}         the last 90 days up to the post's date (also 7d, 1y, 2y, all)
    {chart SLUG METRIC 90d latest}  the last 90 days up to the newest snapshot

SLUG is a community of the registry, METRIC a name of the metric vocabulary (members,
active_30d, posts, ...). Values are the community's rollup over its platforms
(``analyse/rollup.py``). Python-Markdown finds the shortcodes (``glue/markdown_ext.py``) and
leaves a slot for each; once the history is loaded, ``replace_shortcodes`` fills the slots. A
misspelled name, an unknown community or metric, or a window that cannot be computed is a
``ShortcodeProblem`` naming the post file and line, with a did-you-mean where one is close.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from markupsafe import escape

from community_metrics.contract.model import METRICS, SLUG_RE
from community_metrics.glue.markdown_ext import BRACE_RE, KINDS, Slot, fill_slots
from community_metrics.registry.yaml_nodes import did_you_mean
from community_metrics.render.shortcode import Shortcode

_WINDOW_RE = re.compile(r"^(\d{1,4})([dy])$")
#: The longest chart window: a century (9999y would reach before year 1 and cannot be drawn).
MAX_WINDOW_DAYS = 100 * 365


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
        hint = did_you_mean(metric, list(METRICS))
        raise ValueError(f"unknown metric {metric!r}{hint} (known: {', '.join(METRICS)})")
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
            if window > MAX_WINDOW_DAYS:
                raise ValueError(
                    f"a chart window of {option!r} cannot be computed: at most 100y "
                    "(or 'all' for the whole history)"
                )
        else:
            allowed = "latest" if kind == "metric" else "latest, all, or a window like 90d or 1y"
            raise ValueError(f"unknown option {option!r} in {{{kind} ...}} (allowed: {allowed})")
    return Shortcode(kind, community, metric, latest, window)


_INLINE_CODE_RE = re.compile(r"(`+).*?\1")
_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_BRACE = re.compile(BRACE_RE)


def _normal(text: str) -> str:
    return " ".join(html.unescape(text).split())


def _source_lines(source_text: str) -> list[tuple[str, int]]:
    """Every brace group of the markdown source outside code, normalised, with its 1-based
    line (the slots name what was written; this finds where)."""
    found = []
    in_fence = False
    for number, line in enumerate(source_text.splitlines(), start=1):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for match in _BRACE.finditer(_INLINE_CODE_RE.sub("", line)):
            found.append((_normal(match.group(0)), number))
    return found


class _LineFinder:
    """Map slots back to lines of the markdown source, in order."""

    def __init__(self, source_text: str):
        self._pending = _source_lines(source_text)

    def line_of(self, raw: str) -> int | None:
        key = _normal(raw)
        for index, (text, line) in enumerate(self._pending):
            if text == key:
                del self._pending[index]
                return line
        return None


def shortcode_of(slot: Slot, known: set[str]) -> Shortcode:
    """The shortcode a slot asks for; ``ValueError`` names the mistake (with a did-you-mean)."""
    if slot.kind not in KINDS or slot.spaced:
        close = difflib.get_close_matches(slot.kind.lower(), KINDS, n=1, cutoff=0.6)
        name = close[0] if close else "metric"
        hint = f"{{{name} {slot.arguments}}}".replace(" }", "}")
        if slot.spaced and slot.kind in KINDS:
            raise ValueError(f"no space may follow '{{' (did you mean {hint}?)")
        raise ValueError(f"unknown shortcode {slot.kind!r} (did you mean {hint}?)")
    shortcode = parse_shortcode(slot.kind, slot.arguments)
    if shortcode.community not in known:
        hint = did_you_mean(shortcode.community, sorted(known))
        raise ValueError(
            f"unknown community {shortcode.community!r}{hint}: "
            "add it to the registry or fix the slug"
        )
    return shortcode


Renderer = Callable[[Shortcode, date], str]


def placeholder(raw: str, message: str) -> str:
    return f'<span class="pulse-placeholder" role="note">[{escape(raw)}: {escape(message)}]</span>'


def replace_shortcodes(
    content: str,
    *,
    source_text: str,
    source_path: str,
    post_date: date,
    known_communities: Iterable[str],
    render: Renderer,
) -> tuple[str, list[ShortcodeProblem]]:
    """Fill every shortcode slot of a post's HTML (made by ``glue/markdown_ext.py``) with
    ``render(shortcode, post_date)``.

    A shortcode that cannot be rendered becomes a visible placeholder and a problem naming the
    post file and line; the caller decides whether problems fail the build.
    """
    known = set(known_communities)
    lines = _LineFinder(source_text)
    problems: list[ShortcodeProblem] = []

    def substitute(slot: Slot) -> str:
        line = lines.line_of(slot.raw)
        try:
            shortcode = shortcode_of(slot, known)
        except ValueError as exc:
            problems.append(ShortcodeProblem(source_path, line, f"{slot.raw}: {exc}"))
            return placeholder(slot.raw, str(exc))
        return render(shortcode, post_date)

    return fill_slots(content, substitute), problems
