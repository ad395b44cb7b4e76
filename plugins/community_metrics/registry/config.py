"""communities.yml -> validated Community / SourceConfig objects.

Errors are collected, not raised one by one: ``load_registry`` raises one ``ConfigError``
holding every problem, each with file:line:column and a plain sentence. The YAML is *composed*
(not loaded) so that every value keeps the position it came from; PyYAML marks are 0-based.

Shape::

    communities:
      - slug: python
        name: Python
        description: The Python language community
        url: https://www.python.org
        tags: [language]
        founded: 1991-02-20
        sources:
          - platform: discourse
            host: discuss.python.org
          - platform: github
            repo: python/cpython
            token_env: GITHUB_TOKEN
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml


def source_label(platform: str, identifier: str) -> str:
    """The ``source`` field of observations: stable, unique per platform entry."""
    return f"{platform}:{identifier}"


@dataclass(frozen=True)
class SourceConfig:
    community: str  # slug of the community it belongs to
    platform: str  # "github", "discourse", ...
    key: str  # which identifier key was used: "repo", "org", "host", ...
    id: str  # the identifier's value: "python/cpython", "discuss.python.org", ...
    api: str | None = None  # API base URL override (Enterprise, self-hosted, tests)
    token_env: str | None = None  # environment variable holding a token
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    location: str = ""  # "communities.yml:12:7", for messages

    @property
    def label(self) -> str:
        return source_label(self.platform, self.id)


@dataclass(frozen=True)
class Community:
    slug: str
    name: str
    description: str = ""
    url: str | None = None
    tags: tuple[str, ...] = ()
    founded: str | None = None  # ISO date
    sources: tuple[SourceConfig, ...] = ()
    location: str = ""


@dataclass(frozen=True)
class Registry:
    path: str
    communities: tuple[Community, ...]

    @property
    def sources(self) -> list[SourceConfig]:
        return [s for c in self.communities for s in c.sources]


class ConfigError(Exception):
    """One or more mistakes in a registry file; ``problems`` are 'file:line:col: sentence'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")
COMMUNITY_KEYS = {
    "slug": "short lowercase name used in URLs, e.g. python",
    "name": "display name",
    "description": "one sentence about the community",
    "url": "home page, an http(s) URL",
    "tags": "list of words",
    "founded": "date the community began, YYYY-MM-DD",
    "sources": "list of platform entries",
}
SOURCE_KEYS = {
    "platform": "one of the platform names",
    "api": "API base URL override, an http(s) URL",
    "token_env": "name of the environment variable holding a token",
}
MAX_NODES = 100_000  # aliases can make a small file a huge tree ("billion laughs")


class _Problems:
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


def _scalar(node: yaml.Node) -> Any:
    """The Python value of a scalar node, using YAML 1.1 safe types."""
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "binary", "value", "merge")
}


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    value = _scalar_or_none(node)
    if value is None:
        if isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
            return f"a value with the unsupported tag {node.tag}"
        return "empty"
    return {bool: "true/false", int: "a number", float: "a number", str: "text"}.get(
        type(value), type(value).__name__
    )


def _scalar_or_none(node: yaml.Node | None) -> Any:
    """A scalar's value; None for anything else, or for a value YAML cannot build
    (an unknown ``!tag``, an impossible timestamp such as 2026-13-45)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        return _scalar(node)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return None


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _mapping(
    node: yaml.Node, problems: _Problems, what: str
) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
    """Mapping node -> {key: (key_node, value_node)}, reporting non-text and duplicate keys.
    Merge keys (``<<: *anchor``) are resolved; keys written in the mapping override them."""
    if not isinstance(node, yaml.MappingNode):
        problems.add(node, f"{what} must be a mapping of key: value, not {_kind(node)}")
        return None
    if id(node) in problems.mappings:  # an aliased mapping, already read (and flattened)
        return problems.mappings[id(node)]
    written: dict[str, yaml.Node] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = _scalar_or_none(key_node)
        if not isinstance(key, str):
            problems.add(key_node, f"keys in {what} must be words, not {_kind(key_node)}")
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
        key = _scalar_or_none(key_node)
        if isinstance(key, str) and (written.get(key, key_node) is key_node or key not in entries):
            entries[key] = (key_node, value_node)
    problems.mappings[id(node)] = entries
    return entries


def _text(
    node: yaml.Node, problems: _Problems, what: str, *, allow_empty: bool = False
) -> str | None:
    value = _scalar_or_none(node) if isinstance(node, yaml.ScalarNode) else None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.add(node, f"{what} must be text, not {_kind(node)}")
        return None
    text = str(value).strip()
    if not text and not allow_empty:
        problems.add(node, f"{what} must not be empty")
        return None
    return text


def _http_url(node: yaml.Node, problems: _Problems, what: str) -> str | None:
    text = _text(node, problems, what)
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
    return text.rstrip("/")


def _iso_date(node: yaml.Node, problems: _Problems, what: str) -> str | None:
    value = _scalar_or_none(node) if isinstance(node, yaml.ScalarNode) else None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        if value.year < 1900 or value > date.today():
            problems.add(node, f"{what} {value.isoformat()} is in the future or before 1900")
            return None
        return value.isoformat()
    if isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None:
            return _iso_date(
                yaml.ScalarNode(
                    "tag:yaml.org,2002:timestamp",
                    parsed.isoformat(),
                    node.start_mark,
                    node.end_mark,
                ),
                problems,
                what,
            )
    shown = node.value if isinstance(node, yaml.ScalarNode) else _kind(node)
    problems.add(node, f"{what} {shown!r} is not a date; write it as YYYY-MM-DD")
    return None


def _check_unknown(entries: dict, known: list[str], problems: _Problems, what: str) -> None:
    for key, (key_node, _) in entries.items():
        if key not in known:
            problems.add(
                key_node,
                f"unknown key '{key}' in {what}{_did_you_mean(key, known)}; "
                f"known keys: {', '.join(known)}",
            )


def _source(node: yaml.Node, slug: str, problems: _Problems, base_dir: Path) -> SourceConfig | None:
    from community_metrics.collect.sources import (
        PLATFORMS,  # sources import config types; import late to avoid a cycle
    )

    entries = _mapping(node, problems, f"a source of '{slug}'")
    if entries is None:
        return None
    if "platform" not in entries:
        problems.add(
            node, f"a source of '{slug}' has no 'platform:'; choose one of {', '.join(PLATFORMS)}"
        )
        return None
    platform_node = entries["platform"][1]
    name = _text(platform_node, problems, "platform")
    if name is None:
        return None
    platform = PLATFORMS.get(name)
    if platform is None:
        problems.add(
            platform_node,
            f"unknown platform '{name}'{_did_you_mean(name, list(PLATFORMS))};"
            f" known platforms: {', '.join(PLATFORMS)}",
        )
        return None
    what = f"the {name} source of '{slug}'"
    known = list(SOURCE_KEYS) + list(platform.identifiers) + list(platform.options)
    _check_unknown(entries, known, problems, what)
    given = [key for key in platform.identifiers if key in entries]
    if not given:
        choices = " or ".join(f"'{k}:' ({help_})" for k, help_ in platform.identifiers.items())
        problems.add(node, f"{what} needs an identifier: {choices}")
        return None
    if len(given) > 1:
        problems.add(
            entries[given[1]][0],
            f"{what} gives both '{given[0]}' and '{given[1]}'; use one source entry per identifier",
        )
        return None
    key = given[0]
    ident = _text(entries[key][1], problems, f"'{key}' of {what}")
    api = _http_url(entries["api"][1], problems, "'api'") if "api" in entries else None
    token_env = None
    if "token_env" in entries:
        token_env = _text(entries["token_env"][1], problems, "'token_env'")
        if token_env is not None and not ENV_NAME_RE.match(token_env):
            problems.add(
                entries["token_env"][1],
                "'token_env' is not an environment variable name "
                "(write the variable's NAME in capitals, e.g. GITHUB_TOKEN, "
                "never the token itself)",
            )
            token_env = None
    options: dict[str, Any] = {}
    for option in platform.options:
        if option in entries:
            value = _option_value(option, entries[option][1], name, problems, base_dir)
            pattern = platform.identifier_patterns.get(option)
            if value is not None and pattern and not re.fullmatch(pattern, str(value)):
                problems.add(
                    entries[option][1],
                    f"'{option}' {value!r} of {what}: expected {platform.options[option]}",
                )
            elif value is not None:
                options[option] = value
    if ident is None:
        return None
    pattern = platform.identifier_patterns.get(key)
    if pattern is not None and not re.fullmatch(pattern, ident):
        problems.add(
            entries[key][1],
            f"'{key}' {ident!r} of {what} does not look right; "
            f"expected {platform.identifiers[key]}",
        )
        return None
    if name == "manual":
        options["values"] = options.get("values", []) + options.pop("csv", [])
    if name == "manual" and "values" not in entries and "csv" not in entries:
        problems.add(
            node,
            f"{what} has no values: give 'values:' (a list of dated values) "
            "or 'csv:' (a file of date,metric,value,note rows)",
        )
        return None
    return SourceConfig(
        community=slug,
        platform=name,
        key=key,
        id=ident,
        api=api,
        token_env=token_env,
        options=options,
        location=problems.at(node),
    )


def _option_value(
    option: str, node: yaml.Node, platform: str, problems: _Problems, base_dir: Path
) -> Any:
    if platform == "manual" and option == "values":
        from community_metrics.collect.sources.manual import values_from_yaml

        return values_from_yaml(node, problems)
    if platform == "manual" and option == "csv":
        from community_metrics.collect.sources.manual import values_from_csv

        text = _text(node, problems, "'csv'")
        return None if text is None else values_from_csv(node, text, base_dir, problems)
    if platform == "manual" and option == "created_at":
        return _iso_date(node, problems, "'created_at'")
    if isinstance(node, yaml.ScalarNode):
        value = _scalar_or_none(node)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if isinstance(value, str) and value.strip():
            return value.strip()
    problems.add(node, f"'{option}' must be a positive number or text, not {_kind(node)}")
    return None


def _community(
    node: yaml.Node, index: int, problems: _Problems, base_dir: Path
) -> Community | None:
    entries = _mapping(node, problems, f"community #{index + 1}")
    if entries is None:
        return None
    _check_unknown(entries, list(COMMUNITY_KEYS), problems, f"community #{index + 1}")
    for required in ("slug", "name", "sources"):
        if required not in entries:
            problems.add(
                node, f"community #{index + 1} has no '{required}:' ({COMMUNITY_KEYS[required]})"
            )
    slug = _text(entries["slug"][1], problems, "'slug'") if "slug" in entries else None
    if slug is not None and not SLUG_RE.match(slug):
        problems.add(
            entries["slug"][1],
            f"slug {slug!r} must be lowercase letters, digits and "
            "dashes (at most 64), starting and ending with a "
            "letter or digit, e.g. rust-lang",
        )
        slug = None
    name = _text(entries["name"][1], problems, "'name'") if "name" in entries else None
    description = ""
    if "description" in entries:
        description = (
            _text(entries["description"][1], problems, "'description'", allow_empty=True) or ""
        )
    url = _http_url(entries["url"][1], problems, "'url'") if "url" in entries else None
    founded = (
        _iso_date(entries["founded"][1], problems, "'founded'") if "founded" in entries else None
    )
    tags: list[str] = []
    if "tags" in entries:
        tags_node = entries["tags"][1]
        if isinstance(tags_node, yaml.SequenceNode):
            for tag_node in tags_node.value:
                tag = _text(tag_node, problems, "a tag")
                if tag is not None and tag not in tags:
                    tags.append(tag)
        else:
            problems.add(
                tags_node,
                f"'tags' must be a list such as [language, forum], not {_kind(tags_node)}",
            )
    sources: list[SourceConfig] = []
    if "sources" in entries:
        sources_node = entries["sources"][1]
        if not isinstance(sources_node, yaml.SequenceNode) or not sources_node.value:
            problems.add(sources_node, "'sources' must be a non-empty list of platform entries")
        else:
            seen: dict[str, yaml.Node] = {}
            for source_node in sources_node.value:
                source = _source(source_node, slug or f"community #{index + 1}", problems, base_dir)
                if source is None:
                    continue
                if source.label in seen:
                    problems.add(
                        source_node,
                        f"source {source.label} is listed twice in "
                        f"'{slug}' (first at {problems.at(seen[source.label])})",
                    )
                    continue
                seen[source.label] = source_node
                sources.append(source)
    if slug is None or name is None:
        return None
    return Community(
        slug=slug,
        name=name,
        description=description,
        url=url,
        tags=tuple(tags),
        founded=founded,
        sources=tuple(s for s in sources),
        location=problems.at(node),
    )


def _slug_of(node: yaml.Node) -> str | None:
    """The slug a community entry claims, even when the entry has other mistakes."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if _scalar_or_none(key_node) == "slug":
                value = _scalar_or_none(value_node)
                return str(value).strip() if isinstance(value, str | int) else None
    return None


def _count_nodes(root: yaml.Node) -> int:
    """Nodes reachable from root, counting shared (aliased) nodes each time; stops early."""
    count, stack = 0, [root]
    while stack and count <= MAX_NODES:
        node = stack.pop()
        count += 1
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return count


def parse_registry(text: str, path: str | Path = "communities.yml") -> Registry:
    """Validate registry ``text`` (read from ``path``, used in messages and for relative files)."""
    path = str(path)
    problems = _Problems(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
        what = exc.problem or exc.context or "not valid YAML"
        raise ConfigError([f"{where}: malformed YAML: {what}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: malformed YAML: {exc}"]) from None
    except RecursionError:
        raise ConfigError([f"{path}: malformed YAML: nested too deeply"]) from None
    if root is None:
        raise ConfigError([f"{path}: the file is empty; it needs a 'communities:' list"])
    if _count_nodes(root) > MAX_NODES:
        raise ConfigError([f"{path}: too large: more than {MAX_NODES} values (after aliases)"])
    top = _mapping(root, problems, "the file")
    communities: list[Community] = []
    if top is not None:
        _check_unknown(top, ["communities"], problems, "the file")
        if "communities" not in top:
            problems.add(root, "the file has no 'communities:' list")
        else:
            list_node = top["communities"][1]
            if not isinstance(list_node, yaml.SequenceNode):
                problems.add(list_node, f"'communities' must be a list, not {_kind(list_node)}")
            else:
                base_dir = Path(path).parent
                seen: dict[str, yaml.Node] = {}
                for index, node in enumerate(list_node.value):
                    community = _community(node, index, problems, base_dir)
                    slug = _slug_of(node)
                    if slug is not None and slug in seen:
                        problems.add(
                            node, f"duplicate slug '{slug}' (first at {problems.at(seen[slug])})"
                        )
                        continue
                    if slug is not None:
                        seen[slug] = node
                    if community is not None:
                        communities.append(community)
    if problems:
        raise ConfigError(problems.sorted())
    return Registry(path=path, communities=tuple(communities))


def load_registry(path: str | Path) -> Registry:
    """Read and validate a registry file; raises ``ConfigError`` listing every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file; create it or pass --config FILE"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8"]
        ) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None
    return parse_registry(text, path)
