"""Reading YAML nodes with their positions: every problem found is kept with file:line:col,
so that a maintainer sees all mistakes of ``communities.yml`` at once."""

from __future__ import annotations

import difflib
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from community_metrics.contract.model import utc_now

#: Aliases may make a small file a huge tree ("billion laughs"): what aliases add beyond the
#: nodes written in the file is bounded. The file's own size is not: 10,000 communities are an
#: honest registry of some 200,000 nodes.
MAX_ALIAS_NODES = 100_000
MAX_NODES = MAX_ALIAS_NODES  # the name other modules import


class Problems:
    """Collects every problem; ``sorted()`` gives them in file order, registry first."""

    def __init__(self, path: str):
        self.path = path
        self._found: list[tuple[tuple, str]] = []
        self.mappings: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def at(self, node: yaml.Node | None) -> str:
        if node is None or node.start_mark is None:
            return self.path
        mark = node.start_mark
        return f"{self.path}:{mark.line + 1}:{mark.column + 1}"

    def add(self, node: yaml.Node | None, sentence: str) -> None:
        mark = node.start_mark if node is not None else None
        order = (0, "", mark.line, mark.column) if mark else (0, "", -1, -1)
        self._found.append((order, f"{self.at(node)}: {sentence}"))

    def add_in_file(self, path: str | Path, line: int, sentence: str) -> None:
        """A problem in another file the registry points to (a manual CSV)."""
        self._found.append(((1, str(path), line, 0), f"{path}:{line}: {sentence}"))

    def __bool__(self) -> bool:
        return bool(self._found)

    def sorted(self) -> list[str]:
        return [text for _, text in sorted(self._found, key=lambda item: item[0])]


def scalar(node: yaml.Node) -> Any:
    """The Python value of a scalar node, using YAML 1.1 safe types."""
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "binary", "value", "merge")
}


def kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    value = scalar_or_none(node)
    if value is None:
        if isinstance(node, yaml.ScalarNode) and node.tag not in PLAIN_TAGS:
            return f"a value with the unsupported tag {node.tag}"
        return "empty"
    return {bool: "true/false", int: "a number", float: "a number", str: "text"}.get(
        type(value), type(value).__name__
    )


def scalar_or_none(node: yaml.Node | None) -> Any:
    """A scalar's value; None for anything else, or for a value YAML cannot build
    (an unknown ``!tag``, an impossible timestamp such as 2026-13-45)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        return scalar(node)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return None


def did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def mapping(
    node: yaml.Node, problems: Problems, what: str
) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
    """Mapping node -> {key: (key_node, value_node)}, reporting non-text and duplicate keys.
    Merge keys (``<<: *anchor``) are resolved; keys written in the mapping override them."""
    if not isinstance(node, yaml.MappingNode):
        problems.add(node, f"{what} must be a mapping of key: value, not {kind(node)}")
        return None
    if id(node) in problems.mappings:  # an aliased mapping, already read (and flattened)
        return problems.mappings[id(node)]
    written: dict[str, yaml.Node] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = scalar_or_none(key_node)
        if not isinstance(key, str):
            problems.add(key_node, f"keys in {what} must be words, not {kind(key_node)}")
        elif key in written:
            first = problems.at(written[key])
            problems.add(key_node, f"'{key}' is given twice in {what} (first at {first})")
        else:
            written[key] = key_node
    try:
        yaml.constructor.SafeConstructor().flatten_mapping(node)
    except (yaml.YAMLError, RecursionError) as exc:
        problems.add(node, f"{what} has a bad merge (<<): {getattr(exc, 'problem', exc)}")
        return None
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:  # merged keys come first: written ones win
        key = scalar_or_none(key_node)
        if isinstance(key, str) and (written.get(key, key_node) is key_node or key not in entries):
            entries[key] = (key_node, value_node)
    problems.mappings[id(node)] = entries
    return entries


def node_text(
    node: yaml.Node, problems: Problems, what: str, *, allow_empty: bool = False
) -> str | None:
    value = scalar_or_none(node) if isinstance(node, yaml.ScalarNode) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        # YAML reads 0123 as the octal number 83, 1.5e3 as 1500.0, 123456789012345678901 as
        # an int: str() of it is not what was written. Never guess: ask for quotes.
        written = node.value
        problems.add(
            node,
            f"{what} {written} is read by YAML as a number ({value!r}), not as the text "
            f'written; put it in quotes: "{written}"',
        )
        return None
    if not isinstance(value, str):
        problems.add(node, f"{what} must be text, not {kind(node)}")
        return None
    text = value.strip()
    if not text and not allow_empty:
        problems.add(node, f"{what} must not be empty")
        return None
    return text


def http_url(node: yaml.Node, problems: Problems, what: str) -> str | None:
    text = node_text(node, problems, what)
    if text is None:
        return None
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in text
    except ValueError:
        valid = False
    if not valid:
        problems.add(node, f"{what} {text!r} is not an http(s) URL such as https://example.org")
        return None
    if "@" in parts.netloc:
        # a user name and token in the URL would be sent, logged and stored with it: never
        # repeated here either, only the address without them
        shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        problems.add(
            node,
            f"{what} {shown!r} carries credentials (user:token@ before the host): remove them "
            "and name the environment variable holding the token with token_env",
        )
        return None
    return text.rstrip("/")


#: The oldest day a ``founded:`` or manual value may name (a club founded in 1962 is fine).
OLDEST_DAY = date(1900, 1, 1)


def utc_today() -> date:
    """Today in UTC: validation gives the same answer under any ``TZ`` (never date.today())."""
    return utc_now().date()


def plausible_day(day: date) -> str | None:
    """None for a day between 1900-01-01 and today (UTC); otherwise what is wrong with it."""
    if day > utc_today():
        return f"is in the future (today is {utc_today().isoformat()} UTC)"
    if day < OLDEST_DAY:
        return "is before 1900; check the year"
    return None


def iso_date(node: yaml.Node, problems: Problems, what: str) -> str | None:
    value = scalar_or_none(node) if isinstance(node, yaml.ScalarNode) else None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        problem = plausible_day(value)
        if problem:
            problems.add(node, f"{what} {value.isoformat()} {problem}")
            return None
        return value.isoformat()
    if isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None:
            return iso_date(
                yaml.ScalarNode(
                    "tag:yaml.org,2002:timestamp",
                    parsed.isoformat(),
                    node.start_mark,
                    node.end_mark,
                ),
                problems,
                what,
            )
    shown = node.value if isinstance(node, yaml.ScalarNode) else kind(node)
    problems.add(node, f"{what} {shown!r} is not a date; write it as YYYY-MM-DD")
    return None


def check_unknown(entries: dict, known: list[str], problems: Problems, what: str) -> None:
    for key, (key_node, _) in entries.items():
        if key not in known:
            problems.add(
                key_node,
                f"unknown key '{key}' in {what}{did_you_mean(key, known)}; "
                f"known keys: {', '.join(known)}",
            )


def count_nodes(root: yaml.Node) -> int:
    """Nodes that aliases add beyond the nodes written: a node reached again through an alias
    counts each time. Stops early, past ``MAX_ALIAS_NODES``."""
    extra, seen, stack = 0, set(), [root]
    while stack and extra <= MAX_ALIAS_NODES:
        node = stack.pop()
        if id(node) in seen:
            extra += 1
        else:
            seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return extra
