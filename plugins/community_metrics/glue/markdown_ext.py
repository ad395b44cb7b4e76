"""``{metric …}`` and ``{chart …}`` as Python-Markdown syntax.

The parser, not a regular expression over HTML, finds the shortcodes, so they are never seen
inside code spans, fenced or indented code, raw HTML (an HTML comment, an attribute) or a
link title or image alt text. Two processors:

- ``ShortcodeInlineProcessor`` (an ``InlineProcessor``, priority 85: after code spans, links,
  images and inline raw HTML have taken their text, and inside the ``inline`` tree step that
  runs long before ``attr_list``, so ``attr_list`` never takes a shortcode at the end of a
  paragraph, a heading or after a link for an attribute list);
- ``ChartBlockProcessor``: a ``{chart …}`` alone in a paragraph becomes a block of its own
  (no chart inside a ``<p>``).

The history is loaded after the posts are read, so the processors leave a *slot*: a marker
``STX pulse:<base64 JSON> ETX`` kept in Markdown's raw-HTML stash. Python-Markdown removes
STX/ETX from every source text, so a slot can only come from here; the generator replaces each
slot with the rendered value or chart (``fill_slots``). A brace group whose name is close to a
shortcode (``{metrics …}``, ``{ metric …}``) leaves a slot too, so the generator reports it
with file:line and a did-you-mean; any other ``{…}`` is left alone (attribute lists, prose).
"""

from __future__ import annotations

import base64
import difflib
import json
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

KINDS = ("metric", "chart")
#: A brace group that starts with a word: ``{metric python members}``, ``{ metric …}``,
#: ``{metrics …}``. Attribute lists (``{: .x}``, ``{#id}``, ``{.cls}``) never match.
BRACE_RE = r"\{(\s*)([A-Za-z][A-Za-z0-9_-]*)((?:\s+[^{}\n]*?)?)\s*\}"
_BLOCK_RE = re.compile(r"^\s*" + BRACE_RE + r"\s*$")
SLOT_RE = re.compile("\x02pulse:([A-Za-z0-9_=-]*)\x03")
BLOCK_CLASS = "pulse-block"
_BLOCK_SLOT_RE = re.compile(f'<div class="{BLOCK_CLASS}">(\x02pulse:[A-Za-z0-9_=-]*\x03)</div>')


@dataclass(frozen=True)
class Slot:
    """What a post asked for at one place: ``kind`` as written (maybe misspelled)."""

    kind: str
    arguments: str
    raw: str  # the text as written, for messages and for finding its line
    spaced: bool = False  # written with a space after "{"
    block: bool = False  # a chart alone in its paragraph

    def encode(self) -> str:
        data = json.dumps([self.kind, self.arguments, self.raw, self.spaced, self.block])
        return "\x02pulse:" + base64.urlsafe_b64encode(data.encode("utf-8")).decode() + "\x03"

    @staticmethod
    def decode(text: str) -> Slot:
        kind, arguments, raw, spaced, block = json.loads(base64.urlsafe_b64decode(text))
        return Slot(kind, arguments, raw, spaced, block)


def looks_like_shortcode(name: str, spaced: bool) -> bool:
    """A shortcode, or a misspelling of one worth reporting."""
    if name in KINDS:
        return True
    return bool(difflib.get_close_matches(name.lower(), KINDS, n=1, cutoff=0.75)) or (
        spaced and name.lower() in KINDS
    )


def _slot(match: re.Match[str], block: bool = False) -> Slot | None:
    spaced, name, arguments = bool(match.group(1)), match.group(2), match.group(3) or ""
    if not looks_like_shortcode(name, spaced):
        return None
    return Slot(name, " ".join(arguments.split()), match.group(0).strip(), spaced, block)


class ShortcodeInlineProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match[str], data: str):  # noqa: N802 - Markdown's API
        slot = _slot(m)
        if slot is None:
            return None, None, None
        return self.md.htmlStash.store(slot.encode()), m.start(0), m.end(0)


class ChartBlockProcessor(BlockProcessor):
    """A ``{chart …}`` that is a paragraph of its own: a block, never inside ``<p>``."""

    def test(self, parent: etree.Element, block: str) -> bool:
        found = _BLOCK_RE.match(block)
        return bool(found and found.group(2) == "chart" and not found.group(1))

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        match = _BLOCK_RE.match(blocks.pop(0))
        slot = _slot(match, block=True)
        paragraph = etree.SubElement(parent, "p")
        paragraph.text = self.parser.md.htmlStash.store(
            f'<div class="{BLOCK_CLASS}">{slot.encode()}</div>'
        )


class PulseExtension(Extension):
    """Registered through ``MARKDOWN['extension_configs']`` in the ``initialized`` signal."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Markdown's API
        md.inlinePatterns.register(ShortcodeInlineProcessor(BRACE_RE, md), "pulse_shortcode", 85)
        md.parser.blockprocessors.register(ChartBlockProcessor(md.parser), "pulse_chart", 12)


def makeExtension(**kwargs):  # noqa: N802 - Python-Markdown's entry point name
    return PulseExtension(**kwargs)


def has_slots(html: str) -> bool:
    return "\x02pulse:" in html


def fill_slots(html: str, render: Callable[[Slot], str]) -> str:
    """Replace every slot of ``html`` with ``render(slot)`` (block slots lose their wrapper)."""
    html = _BLOCK_SLOT_RE.sub(lambda m: m.group(1), html)
    return SLOT_RE.sub(lambda m: render(Slot.decode(m.group(1))), html)
