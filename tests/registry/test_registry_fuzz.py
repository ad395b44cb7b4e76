"""Hostile input, property-based: any YAML text or structure given as communities.yml yields
a Registry or a ConfigError whose every problem names the file -- never another exception."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_metrics.registry.config import (
    COMMUNITY_KEYS,
    SOURCE_KEYS,
    ConfigError,
    Registry,
    parse_registry,
)
from community_metrics.registry.platforms import PLATFORMS

PATH = "fuzz/communities.yml"

KEYS = sorted(
    set(COMMUNITY_KEYS)
    | set(SOURCE_KEYS)
    | {k for p in PLATFORMS.values() for k in (*p.identifiers, *p.options)}
    | {"communities", "date", "note", "members", "topics"}
)
WORDS = st.sampled_from(
    [
        *KEYS,
        *PLATFORMS,
        "githb",
        "",
        "x",
        "python/cpython",
        "a@b.c",
        "#a:b.c",
        "https://x.org",
        "2026-01-01",
        "2999-12-31",
        "-1",
        "1,234",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | WORDS
    | st.dates()
)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(WORDS | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)


def check(text: str) -> None:
    try:
        result = parse_registry(text, PATH)
    except ConfigError as exc:
        assert exc.problems, "a ConfigError must carry at least one problem"
        for problem in exc.problems:
            assert isinstance(problem, str)
            assert problem.startswith(PATH) or problem.startswith("fuzz/"), problem
        return
    assert isinstance(result, Registry)
    for source in result.sources:
        assert source.platform in PLATFORMS
        assert source.id


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text(text):
    check(text)


@FUZZ
@given(VALUES)
def test_arbitrary_structures(data):
    check(yaml.safe_dump(data, allow_unicode=True))


@FUZZ
@given(
    st.lists(
        st.fixed_dictionaries(
            {"slug": VALUES, "name": VALUES},
            optional={
                "sources": st.lists(
                    st.fixed_dictionaries(
                        {"platform": st.sampled_from([*PLATFORMS, "githb"]) | VALUES},
                        optional={key: VALUES | WORDS for key in KEYS if key != "platform"},
                    ),
                    max_size=3,
                ),
                "tags": VALUES,
                "founded": VALUES,
                "url": VALUES,
            },
        ),
        max_size=3,
    )
)
def test_registry_shaped_structures(communities):
    check(yaml.safe_dump({"communities": communities}, allow_unicode=True))


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "communities:",
                "  - slug: a",
                "    name: A",
                "    sources:",
                "      - platform: github",
                "        repo: a/b",
                "      - &x {platform: reddit, subreddit: py}",
                "      - <<: *x",
                "      - *x",
                "  - *x",
                "    tags: [a, *x]",
                "    founded: 2026-13-45",
                "\t- x",
                "  - [",
                "        values: [{date: 2026-01-01, members: 1}]",
                "        api: 'http://[::1'",
                "    <<: {slug: b}",
                "        csv: ../../etc/passwd",
                "    url: !!binary aGk=",
                "    name: !custom x",
                "%YAML 1.1",
                "---",
                "...",
            ]
        ),
        max_size=12,
    )
)
def test_registry_shaped_lines(lines):
    check("\n".join(lines) + "\n")
