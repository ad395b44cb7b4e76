"""communities.yml -> validated Community / SourceConfig objects (types; loader to come).

Errors are collected, not raised one by one: ``load_registry`` raises one ``ConfigError``
holding every problem, each with file:line:column and a plain sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
        """The ``source`` field of observations: stable, unique per platform entry."""
        return f"{self.platform}:{self.id}"


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
