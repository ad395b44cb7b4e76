"""The registry loader: every mistake reported at once, each with file:line:column."""

from pathlib import Path

import pytest

from community_metrics.collect.sources import FETCHERS
from community_metrics.contract.model import METRICS
from community_metrics.registry.config import ConfigError, load_registry, parse_registry
from community_metrics.registry.platforms import PLATFORMS

ROOT = Path(__file__).resolve().parents[2]

VALID = """\
communities:
  - slug: python
    name: Python
    description: The Python community
    url: https://www.python.org
    tags: [language, language, forum]
    founded: 1991-02-20
    sources:
      - platform: discourse
        host: discuss.python.org
      - platform: github
        repo: python/cpython
        token_env: MY_GITHUB_TOKEN
      - platform: lemmy
        community: "!python@programming.dev"
        version: v4
      - platform: matrix
        room: "#python:matrix.org"
        api: http://127.0.0.1:8008/
        max_pages: 3
"""


def problems_of(text: str, path: str = "reg.yml") -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_registry(text, path)
    return caught.value.problems


def test_valid_registry():
    registry = parse_registry(VALID, "reg.yml")
    (python,) = registry.communities
    assert python.slug == "python"
    assert python.tags == ("language", "forum")
    assert python.founded == "1991-02-20"
    assert python.location == "reg.yml:2:5"
    discourse, github, lemmy, matrix = python.sources
    assert (discourse.platform, discourse.key, discourse.id) == (
        "discourse",
        "host",
        "discuss.python.org",
    )
    assert discourse.label == "discourse:discuss.python.org"
    assert github.token_env == "MY_GITHUB_TOKEN"
    assert lemmy.options == {"version": "v4"}
    assert matrix.api == "http://127.0.0.1:8008"  # trailing slash dropped
    assert matrix.options == {"max_pages": 3}
    assert matrix.location == "reg.yml:17:9"
    assert [s.label for s in registry.sources][1] == "github:python/cpython"


def test_every_problem_at_once_with_positions():
    text = """\
communities:
  - slug: Bad_Slug
    name: x
    nmae: y
    founded: 2099-01-01
    url: ftp://example.org
    sources:
      - platform: githb
        repo: a/b
      - platform: github
      - platform: discourse
        host: x.org
        api: not a url
        token_env: ghp_s3cretvalue
      - platform: github
        repo: a/b
        org: a
  - slug: ok
    name: 12
    sources: []
  - slug: ok
    sources:
      - platform: reddit
        subreddit: python
        colour: red
"""
    problems = problems_of(text)
    expected = [
        "reg.yml:4:5: unknown key 'nmae' in community #1 (did you mean 'name'?)",
        "reg.yml:2:11: slug 'Bad_Slug' must be lowercase letters",
        "reg.yml:5:14: 'founded' 2099-01-01 is in the future",
        "reg.yml:6:10: 'url' 'ftp://example.org' is not an http(s) URL",
        "reg.yml:8:19: unknown platform 'githb' (did you mean 'github'?)",
        "reg.yml:10:9: the github source of 'community #1' needs an identifier: 'repo:'",
        "reg.yml:13:14: 'api' 'not a url' is not an http(s) URL",
        "reg.yml:14:20: 'token_env' is not an environment variable name",
        "reg.yml:17:9: the github source of 'community #1' gives both 'repo' and 'org'",
        "reg.yml:19:11: 'name' 12 is read by YAML as a number (12), not as the text written; "
        'put it in quotes: "12"',
        "reg.yml:20:14: 'sources' must be a non-empty list",
        "reg.yml:21:5: community #3 has no 'name:'",
        "reg.yml:25:9: unknown key 'colour' in the reddit source of 'ok'",
        "reg.yml:21:5: duplicate slug 'ok' (first at reg.yml:18:5)",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected)
    # the token that was pasted by mistake is never echoed back
    assert not any("s3cret" in p for p in problems)


def test_malformed_yaml_names_the_parser_position():
    problems = problems_of("communities:\n  - slug: a\n    name: [unclosed\n")
    assert len(problems) == 1
    assert problems[0].startswith("reg.yml:4:1: malformed YAML")


def test_tab_indentation_is_malformed_yaml_with_position():
    (problem,) = problems_of("communities:\n\t- slug: a\n")
    assert problem.startswith("reg.yml:2:1: malformed YAML")


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("", "reg.yml: the file is empty"),
        ("- slug: a\n", "reg.yml:1:1: the file must be a mapping"),
        ("communities: {slug: a}\n", "reg.yml:1:14: 'communities' must be a list"),
        ("communitis: []\n", "reg.yml:1:1: unknown key 'communitis' in the file (did you mean"),
        (
            "communities:\n  - slug: a\n    name: A\n    tags: python\n    sources: "
            "[{platform: reddit, subreddit: x1}]\n",
            "reg.yml:4:11: 'tags' must be a list",
        ),
        (
            "communities:\n  - slug: a\n    name: A\n    founded: last year\n    sources: "
            "[{platform: reddit, subreddit: x1}]\n",
            "reg.yml:4:14: 'founded' 'last year' is not a date",
        ),
        (
            "communities:\n  - slug: a\n    name: A\n    sources:\n      - {platform: github, "
            "repo: not-a-repo}\n",
            "reg.yml:5:34: 'repo' 'not-a-repo' of the github source of 'a' does not look right",
        ),
        (
            "communities:\n  - slug: a\n    name: A\n    sources:\n      - {platform: reddit, "
            "subreddit: x1}\n      - {platform: reddit, subreddit: x1}\n",
            "reg.yml:6:9: source reddit:x1 is listed twice",
        ),
        (
            "communities:\n  - slug: a\n    name: A\n    sources:\n      - {platform: lemmy, "
            "community: a@b.c, version: v9}\n",
            "reg.yml:5:54: 'version' 'v9' of the lemmy source",
        ),
        (
            "communities:\n  - slug: a\n    name: A\n    sources:\n      - {platform: reddit, "
            "subreddit: !!python/name:os.system x}\n",
            "reg.yml:5:39: 'subreddit' of the reddit "
            "source of 'a' must be text, not a value with the unsupported tag",
        ),
        (
            "communities:\n  - {slug: a, name: A, a: 1, a: 2, sources: [{platform: reddit, "
            "subreddit: x1}]}\n",
            "reg.yml:2:30: 'a' is given twice in community #1",
        ),
    ],
)
def test_single_mistakes(text, start):
    problems = problems_of(text)
    assert any(p.startswith(start) for p in problems), problems


def test_anchors_and_merge_keys_are_honoured():
    text = """\
communities:
  - slug: a
    name: A
    sources:
      - &forum {platform: discourse, host: discuss.python.org}
  - slug: b
    name: B
    sources:
      - <<: *forum
        host: users.rust-lang.org
"""
    registry = parse_registry(text, "reg.yml")
    assert [s.label for s in registry.sources] == [
        "discourse:discuss.python.org",
        "discourse:users.rust-lang.org",
    ]


def test_alias_bomb_is_refused_not_expanded():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
        f"*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
        for i in range(1, 9)
    ]
    (problem,) = problems_of("\n".join(lines) + "\n")
    assert problem.startswith("reg.yml: too large")


def test_empty_values_list():
    text = """\
communities:
  - slug: a
    name: A
    sources:
      - {platform: manual, name: x, values: []}
"""
    assert problems_of(text) == [
        "reg.yml:5:45: 'values' is empty; give at least one {date: YYYY-MM-DD, <metric>: number}"
    ]


def test_missing_file_and_bad_encoding(tmp_path):
    with pytest.raises(ConfigError, match="no such file; create it or pass --config FILE"):
        load_registry(tmp_path / "nope.yml")
    bad = tmp_path / "bad.yml"
    bad.write_bytes(b"communities:\n  - slug: \xff\n")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_registry(bad)


def test_manual_values_inline_and_csv(tmp_path):
    (tmp_path / "manual").mkdir()
    (tmp_path / "manual" / "meetup.csv").write_text(
        "date,metric,value,note\n2026-01-01,members,120,meetup.com page\n"
        "2026-06-01,members,150,meetup.com page\n"
    )
    registry_file = tmp_path / "communities.yml"
    registry_file.write_text(
        """\
communities:
  - slug: local-python
    name: Local Python
    sources:
      - platform: manual
        name: meetup
        csv: manual/meetup.csv
        created_at: 2015-04-01
      - platform: manual
        name: mailing-list
        values:
          - {date: 2026-03-01, members: 900, posts_30d: 40, note: "list admin page"}
          - {date: 2026-09-01, members: 950}
"""
    )
    registry = load_registry(registry_file)
    meetup, mailing = registry.sources
    assert meetup.options["values"] == [
        {"date": "2026-01-01", "metric": "members", "value": 120, "note": "meetup.com page"},
        {"date": "2026-06-01", "metric": "members", "value": 150, "note": "meetup.com page"},
    ]
    result = FETCHERS["manual"](meetup, None)
    assert result.metrics == {"members": 150}
    assert result.extra == {
        "as_of": {"members": "2026-06-01"},
        "notes": {"members": "meetup.com page"},
    }
    assert result.created_at == "2015-04-01T00:00:00Z"
    result = FETCHERS["manual"](mailing, None)
    assert result.metrics == {"members": 950, "posts_30d": 40}
    assert result.extra["as_of"] == {"members": "2026-09-01", "posts_30d": "2026-03-01"}
    assert result.extra["notes"] == {"posts_30d": "list admin page"}


def test_manual_mistakes(tmp_path):
    (tmp_path / "bad.csv").write_text(
        "date,metric,value,note\n2026-01-01,membres,12,x\n2026-13-01,members,1,x\n"
        "2026-01-02,members,-4,x\n2026-01-03,members\n"
    )
    registry_file = tmp_path / "c.yml"
    registry_file.write_text(
        """\
communities:
  - slug: a
    name: A
    sources:
      - platform: manual
        name: csv
        csv: bad.csv
      - platform: manual
        name: typed
        values:
          - {members: 3}
          - {date: 2999-01-01, members: 3}
          - {date: 2026-01-01, topcis: 3}
          - {date: 2026-01-01, members: "1,200"}
      - platform: manual
        name: empty
      - platform: manual
        name: nofile
        csv: missing.csv
"""
    )
    with pytest.raises(ConfigError) as caught:
        load_registry(registry_file)
    problems = caught.value.problems
    csv_path = str(tmp_path / "bad.csv")
    yml = str(registry_file)
    expected = [
        f"{csv_path}:2: unknown metric 'membres' (did you mean 'members'?)",
        f"{csv_path}:3: date '2026-13-01' is not a date",
        f"{csv_path}:4: members is '-4', not a plain number",
        f"{csv_path}:5: expected date,metric,value[,note]",
        f"{yml}:11:13: a manual value needs 'date: YYYY-MM-DD'",
        f"{yml}:12:20: date 2999-01-01 is in the future",
        f"{yml}:13:32: unknown metric 'topcis' (did you mean 'topics'?)",
        f"{yml}:14:41: members is '1,200', not a plain number",
        f"{yml}:15:9: the manual source of 'a' has no values",
        f"{yml}:19:14: CSV file {tmp_path / 'missing.csv'} does not exist",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)


def test_default_registry_is_valid_and_covers_every_api_platform():
    registry = load_registry(ROOT / "communities.yml")
    assert len(registry.communities) >= 20
    api_platforms = set(PLATFORMS) - {"manual"}
    assert {s.platform for s in registry.sources} >= api_platforms
    for source in registry.sources:
        assert source.api is None or source.api.startswith("https://")


def test_every_platform_declares_help_for_its_keys():
    for name, platform in PLATFORMS.items():
        assert platform.name == name
        assert platform.identifiers
        for key in platform.identifier_patterns:
            assert key in platform.identifiers or key in platform.options
    assert "members" in METRICS


def test_problems_come_in_file_order_and_an_aliased_merge_is_not_a_duplicate():
    text = """\
communities:
  - slug: b
    name: B
    sources:
      - &src {<<: {platform: reddit}, subreddit: x1}
  - slug: c
    name: C
    url: nope
    sources:
      - *src
      - {platform: nope}
  - slug: B
    name: Upper
    sources: [*src]
"""
    problems = problems_of(text)
    assert [p.split(": ")[0] for p in problems] == [
        "reg.yml:8:10",
        "reg.yml:11:20",
        "reg.yml:12:11",
    ]


def test_second_wave_platforms_load_and_their_typos_get_did_you_mean():
    registry = parse_registry(
        """\
communities:
  - slug: a
    name: A
    sources:
      - {platform: nodeinfo, host: mastodon.social}
      - {platform: peertube, instance: framatube.org}
      - {platform: peertube, channel: blender_channel@video.blender.org}
      - {platform: forgejo, repo: forgejo/forgejo}
      - {platform: forgejo, repo: go-gitea/gitea, api: "https://gitea.com"}
      - {platform: mediawiki, site: en.wikipedia.org}
      - {platform: mediawiki, site: wiki.archlinux.org, path: /}
      - {platform: huggingface, org: huggingface}
      - {platform: opencollective, collective: homebrew}
""",
        "reg.yml",
    )
    sources = registry.sources
    assert [s.platform for s in sources].count("peertube") == 2
    assert {s.key for s in sources if s.platform == "peertube"} == {"instance", "channel"}
    assert sources[6].options == {"path": "/"}
    problems = problems_of(
        """\
communities:
  - slug: a
    name: A
    sources:
      - {platform: nodeinfoo, host: mastodon.social}
      - {platform: opencollective, colective: homebrew}
      - {platform: mediawiki, site: en.wikipedia.org, pth: /w}
      - {platform: peertube, chanel: x@video.example}
      - {platform: peertube, channel: no-host-here}
      - {platform: mediawiki, site: wiki.example.org, path: "w/"}
      - {platform: huggingface, organisation: huggingface}
      - {platform: forgejo, repo: just-a-name}
"""
    )
    expected = [
        "reg.yml:5:20: unknown platform 'nodeinfoo' (did you mean 'nodeinfo'?)",
        "reg.yml:6:36: unknown key 'colective' in the opencollective source of 'a' "
        "(did you mean 'collective'?)",
        "reg.yml:7:55: unknown key 'pth' in the mediawiki source of 'a' (did you mean 'path'?)",
        "reg.yml:8:30: unknown key 'chanel' in the peertube source of 'a' "
        "(did you mean 'channel'?)",
        "reg.yml:9:39: 'channel' 'no-host-here' of the peertube source of 'a' does not look right",
        "reg.yml:10:61: 'path' 'w/' of the mediawiki source of 'a'",
        "reg.yml:11:9: the huggingface source of 'a' needs an identifier: 'org:'",
        "reg.yml:12:35: 'repo' 'just-a-name' of the forgejo source of 'a' does not look right",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)


@pytest.mark.parametrize(
    ("api", "secret"),
    [
        ("https://user:t0ken-s3cr3t@api.example.org", "t0ken-s3cr3t"),
        ("https://t0ken-s3cr3t@api.example.org/v3", "t0ken-s3cr3t"),
        ("https://bot:t0k%2Fen-s3cr3t@api.example.org", "t0k%2Fen-s3cr3t"),
    ],
)
def test_api_with_credentials_in_the_url_is_refused_at_load(api, secret):
    text = (
        "communities:\n  - slug: a\n    name: A\n    sources:\n      - platform: github\n"
        f"        repo: python/cpython\n        api: {api}\n"
    )
    problems = problems_of(text)
    assert any(
        p.startswith("reg.yml:7:14: 'api'") and "carries credentials" in p and "token_env" in p
        for p in problems
    ), problems
    assert not any(secret in p for p in problems)
    assert any("api.example.org" in p for p in problems)


def test_an_honestly_large_registry_is_not_mistaken_for_an_alias_bomb():
    import yaml

    from community_metrics.registry.yaml_nodes import MAX_NODES, count_nodes

    written = "\n".join(f"- [{i}, {i}]" for i in range(60_000))  # 180,001 nodes, no alias
    root = yaml.compose(written, Loader=yaml.SafeLoader)
    assert count_nodes(root) == 0
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "b: [" + ", ".join(["*a"] * 20_000) + "]\n"
    assert count_nodes(yaml.compose(bomb, Loader=yaml.SafeLoader)) > MAX_NODES
