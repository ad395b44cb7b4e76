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

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from community_metrics.contract.model import SLUG_RE
from community_metrics.registry.platforms import PLATFORMS
from community_metrics.registry.yaml_nodes import (
    MAX_NODES,
    Problems,
    check_unknown,
    count_nodes,
    did_you_mean,
    http_url,
    iso_date,
    kind,
    mapping,
    node_text,
    scalar_or_none,
)


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


def _source(node: yaml.Node, slug: str, problems: Problems, base_dir: Path) -> SourceConfig | None:
    entries = mapping(node, problems, f"a source of '{slug}'")
    if entries is None:
        return None
    if "platform" not in entries:
        problems.add(
            node, f"a source of '{slug}' has no 'platform:'; choose one of {', '.join(PLATFORMS)}"
        )
        return None
    platform_node = entries["platform"][1]
    name = node_text(platform_node, problems, "platform")
    if name is None:
        return None
    platform = PLATFORMS.get(name)
    if platform is None:
        problems.add(
            platform_node,
            f"unknown platform '{name}'{did_you_mean(name, list(PLATFORMS))};"
            f" known platforms: {', '.join(PLATFORMS)}",
        )
        return None
    what = f"the {name} source of '{slug}'"
    known = list(SOURCE_KEYS) + list(platform.identifiers) + list(platform.options)
    check_unknown(entries, known, problems, what)
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
    ident = node_text(entries[key][1], problems, f"'{key}' of {what}")
    api = http_url(entries["api"][1], problems, "'api'") if "api" in entries else None
    token_env = None
    if "token_env" in entries:
        token_env = node_text(entries["token_env"][1], problems, "'token_env'")
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
    option: str, node: yaml.Node, platform: str, problems: Problems, base_dir: Path
) -> Any:
    if platform == "manual" and option == "values":
        from community_metrics.registry.manual_values import values_from_yaml

        return values_from_yaml(node, problems)
    if platform == "manual" and option == "csv":
        from community_metrics.registry.manual_values import values_from_csv

        text = node_text(node, problems, "'csv'")
        return None if text is None else values_from_csv(node, text, base_dir, problems)
    if platform == "manual" and option == "created_at":
        return iso_date(node, problems, "'created_at'")
    if isinstance(node, yaml.ScalarNode):
        value = scalar_or_none(node)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if isinstance(value, str) and value.strip():
            return value.strip()
    problems.add(node, f"'{option}' must be a positive number or text, not {kind(node)}")
    return None


def _community(node: yaml.Node, index: int, problems: Problems, base_dir: Path) -> Community | None:
    entries = mapping(node, problems, f"community #{index + 1}")
    if entries is None:
        return None
    check_unknown(entries, list(COMMUNITY_KEYS), problems, f"community #{index + 1}")
    for required in ("slug", "name", "sources"):
        if required not in entries:
            problems.add(
                node, f"community #{index + 1} has no '{required}:' ({COMMUNITY_KEYS[required]})"
            )
    slug = node_text(entries["slug"][1], problems, "'slug'") if "slug" in entries else None
    if slug is not None and not SLUG_RE.match(slug):
        problems.add(
            entries["slug"][1],
            f"slug {slug!r} must be lowercase letters, digits and "
            "dashes (at most 64), starting and ending with a "
            "letter or digit, e.g. rust-lang",
        )
        slug = None
    name = node_text(entries["name"][1], problems, "'name'") if "name" in entries else None
    description = ""
    if "description" in entries:
        description = (
            node_text(entries["description"][1], problems, "'description'", allow_empty=True) or ""
        )
    url = http_url(entries["url"][1], problems, "'url'") if "url" in entries else None
    founded = (
        iso_date(entries["founded"][1], problems, "'founded'") if "founded" in entries else None
    )
    tags: list[str] = []
    if "tags" in entries:
        tags_node = entries["tags"][1]
        if isinstance(tags_node, yaml.SequenceNode):
            for tag_node in tags_node.value:
                tag = node_text(tag_node, problems, "a tag")
                if tag is not None and tag not in tags:
                    tags.append(tag)
        else:
            problems.add(
                tags_node,
                f"'tags' must be a list such as [language, forum], not {kind(tags_node)}",
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
            if scalar_or_none(key_node) == "slug":
                value = scalar_or_none(value_node)
                return str(value).strip() if isinstance(value, str | int) else None
    return None


def _compose(text: str) -> yaml.Node | None:
    """YAML nodes with their positions: libyaml's parser when present (a 10,000-community
    registry in a second, not a minute); a document it refuses is parsed again by the pure
    Python one, whose messages the maintainer sees."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.compose(text, Loader=loader)
        except (yaml.YAMLError, RecursionError):
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def parse_registry(text: str, path: str | Path = "communities.yml") -> Registry:
    """Validate registry ``text`` (read from ``path``, used in messages and for relative files)."""
    path = str(path)
    problems = Problems(path)
    try:
        root = _compose(text)
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
    if count_nodes(root) > MAX_NODES:
        raise ConfigError(
            [f"{path}: too large: aliases (*name) expand to more than {MAX_NODES} extra values"]
        )
    top = mapping(root, problems, "the file")
    communities: list[Community] = []
    if top is not None:
        check_unknown(top, ["communities"], problems, "the file")
        if "communities" not in top:
            problems.add(root, "the file has no 'communities:' list")
        else:
            list_node = top["communities"][1]
            if not isinstance(list_node, yaml.SequenceNode):
                problems.add(list_node, f"'communities' must be a list, not {kind(list_node)}")
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
