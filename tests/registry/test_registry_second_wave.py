"""Registry keys of the second-wave platforms (GitLab, Steam, YouTube, Telegram, Slack, Zulip):
the keys of PLATFORMS.md load, typos get a did-you-mean, malformed identifiers are refused."""

import pytest

from community_metrics.registry.config import ConfigError, parse_registry

VALID = """\
communities:
  - slug: wave
    name: Second wave
    sources:
      - platform: gitlab
        project: gitlab-org/subgroup/project.name
      - platform: gitlab
        group: gitlab-org/sub
        api: https://gitlab.example.org/api/v4
      - platform: steam
        group: SteamClientBeta
      - platform: youtube
        channel: UC_x5XG1OV2P6uZZ5FSM9Ttw
      - platform: youtube
        handle: "@GoogleDevelopers"
      - platform: telegram
        chat: "@telegram"
      - platform: slack
        channel: C09R23FHP
      - platform: zulip
        realm: chat.zulip.org
        bot_email: pulse-bot@chat.zulip.org
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_registry(text, "reg.yml")
    return caught.value.problems


def test_the_keys_of_platforms_md_load():
    registry = parse_registry(VALID, "reg.yml")
    got = [(s.platform, s.key, s.id) for s in registry.sources]
    assert got == [
        ("gitlab", "project", "gitlab-org/subgroup/project.name"),
        ("gitlab", "group", "gitlab-org/sub"),
        ("steam", "group", "SteamClientBeta"),
        ("youtube", "channel", "UC_x5XG1OV2P6uZZ5FSM9Ttw"),
        ("youtube", "handle", "@GoogleDevelopers"),
        ("telegram", "chat", "@telegram"),
        ("slack", "channel", "C09R23FHP"),
        ("zulip", "realm", "chat.zulip.org"),
    ]
    assert registry.sources[1].api == "https://gitlab.example.org/api/v4"
    assert registry.sources[-1].options == {"bot_email": "pulse-bot@chat.zulip.org"}


@pytest.mark.parametrize(
    ("entry", "start"),
    [
        (
            "platform: gitlb\n        project: a/b",
            "unknown platform 'gitlb' (did you mean 'gitlab'?)",
        ),
        ("platform: gitlab\n        projet: a/b", "unknown key 'projet'"),
        ("platform: youtube\n        handel: '@x'", "unknown key 'handel'"),
        ("platform: telegram\n        chta: '@abcd'", "unknown key 'chta'"),
        (
            "platform: zulip\n        realm: chat.zulip.org\n        bot_emial: a@b.org",
            "unknown key 'bot_emial'",
        ),
        ("platform: stema\n        group: x", "unknown platform 'stema' (did you mean 'steam'?)"),
        ("platform: slak\n        channel: C0123ABC", "(did you mean 'slack'?)"),
    ],
)
def test_typos_get_did_you_mean(entry, start):
    text = f"communities:\n  - slug: a\n    name: A\n    sources:\n      - {entry}\n"
    problems = problems_of(text)
    assert any(start in p for p in problems), problems
    if "unknown key" in start:
        assert any("did you mean" in p for p in problems), problems


@pytest.mark.parametrize(
    "entry",
    [
        "platform: gitlab\n        project: just-a-group",  # a project needs group/name
        "platform: youtube\n        channel: UC123",  # ids are UC + 22 characters
        "platform: telegram\n        chat: '@ab'",  # usernames have 5 to 32 characters
        "platform: slack\n        channel: general",  # the id, not the name
        "platform: zulip\n        realm: chat.zulip.org\n        bot_email: not-an-email",
        "platform: steam\n        group: 'two words'",
    ],
)
def test_malformed_identifiers_are_refused(entry):
    text = f"communities:\n  - slug: a\n    name: A\n    sources:\n      - {entry}\n"
    problems = problems_of(text)
    assert len(problems) == 1 and problems[0].startswith("reg.yml:"), problems
