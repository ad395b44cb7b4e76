"""Hostile numbers and dates in every platform's core field: the source fails with the reason
and the endpoint, never a traceback and never a silent 0."""

import pytest
from source_helpers import body

from community_metrics.collect.sources import FETCHERS
from community_metrics.collect.sources.base import SourceError

#: platform, identifier key, identifier, path served, fixture, JSON path of the members field
CASES = [
    (
        "github",
        "repo",
        "python/cpython",
        "/repos/python/cpython",
        "github/repo.json",
        ["stargazers_count"],
    ),
    (
        "discourse",
        "host",
        "d.example",
        "/about.json",
        "discourse/about_plural.json",
        ["about", "stats", "users_count"],
    ),
    (
        "stackexchange",
        "site",
        "stackoverflow",
        "/2.3/info",
        "stackexchange/info.json",
        ["items", 0, "total_users"],
    ),
    (
        "mastodon",
        "instance",
        "m.example",
        "/api/v1/instance",
        "mastodon/instance_v1.json",
        ["stats", "user_count"],
    ),
    (
        "reddit",
        "subreddit",
        "Python",
        "/r/Python/about.json",
        "reddit/about.json",
        ["data", "subscribers"],
    ),
    (
        "discord",
        "invite",
        "python",
        "/invites/python",
        "discord/invite.json",
        ["approximate_member_count"],
    ),
    (
        "bluesky",
        "handle",
        "bsky.app",
        "/xrpc/app.bsky.actor.getProfile",
        "bluesky/profile.json",
        ["followersCount"],
    ),
    (
        "lemmy",
        "community",
        "technology@lemmy.world",
        "/api/v3/community",
        "lemmy/community_v3.json",
        ["community_view", "counts", "subscribers"],
    ),
    (
        "peertube",
        "instance",
        "framatube.org",
        "/api/v1/server/stats",
        "peertube/server_stats.json",
        ["totalUsers"],
    ),
    (
        "peertube",
        "channel",
        "blender_channel@video.blender.org",
        "/api/v1/video-channels/blender_channel",
        "peertube/video_channel.json",
        ["followersCount"],
    ),
    (
        "forgejo",
        "repo",
        "forgejo/forgejo",
        "/api/v1/repos/forgejo/forgejo",
        "forgejo/repo.json",
        ["stars_count"],
    ),
    (
        "mediawiki",
        "site",
        "en.wikipedia.org",
        "/w/api.php",
        "mediawiki/siteinfo_statistics.json",
        ["query", "statistics", "users"],
    ),
    (
        "huggingface",
        "org",
        "huggingface",
        "/api/organizations/huggingface/overview",
        "huggingface/org_overview.json",
        ["numFollowers"],
    ),
    (
        "opencollective",
        "collective",
        "homebrew",
        "/homebrew.json",
        "opencollective/collective.json",
        ["backersCount"],
    ),
]
HOSTILE = [
    ("1,234", "not a plain number"),
    (-3, "negative count"),
    ("-3", "not a plain number"),
    (1e300, "implausibly large"),
    (True, "not a number"),
    ([1], "not a number"),
    ("NaN", "not a plain number"),
]


def put_at(document, path, value):
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize(("value", "reason"), HOSTILE)
@pytest.mark.parametrize(("platform", "key", "ident", "path", "fixture", "field"), CASES)
def test_hostile_member_count(
    httpserver, http, make_source, platform, key, ident, path, fixture, field, value, reason
):
    httpserver.expect_request(path).respond_with_json(put_at(body(fixture), field, value))
    with pytest.raises(SourceError) as caught:
        FETCHERS[platform](make_source(platform, key, ident), http)
    message = str(caught.value)
    assert reason in message
    assert field[-1] in message
    assert path in message  # names the endpoint


@pytest.mark.parametrize(
    ("platform", "key", "ident", "path", "fixture", "field"),
    [
        ("github", "repo", "a/b", "/repos/a/b", "github/repo.json", ["created_at"]),
        (
            "reddit",
            "subreddit",
            "Python",
            "/r/Python/about.json",
            "reddit/about.json",
            ["data", "created_utc"],
        ),
        (
            "bluesky",
            "handle",
            "bsky.app",
            "/xrpc/app.bsky.actor.getProfile",
            "bluesky/profile.json",
            ["createdAt"],
        ),
        (
            "lemmy",
            "community",
            "t@l.example",
            "/api/v3/community",
            "lemmy/community_v3.json",
            ["community_view", "community", "published"],
        ),
        (
            "peertube",
            "channel",
            "c@t.example",
            "/api/v1/video-channels/c",
            "peertube/video_channel.json",
            ["createdAt"],
        ),
        (
            "forgejo",
            "repo",
            "a/b",
            "/api/v1/repos/a/b",
            "forgejo/repo.json",
            ["created_at"],
        ),
    ],
)
def test_future_creation_date(
    httpserver, http, make_source, platform, key, ident, path, fixture, field
):
    future = 4102444800 if field[-1] == "created_utc" else "2100-01-01T00:00:00Z"
    httpserver.expect_request(path).respond_with_json(put_at(body(fixture), field, future))
    with pytest.raises(SourceError, match="a date in the future"):
        FETCHERS[platform](make_source(platform, key, ident), http)


def test_null_member_count_is_absent_not_zero(httpserver, http, make_source):
    httpserver.expect_request("/r/Python/about.json").respond_with_json(
        put_at(body("reddit/about.json"), ["data", "subscribers"], None)
    )
    result = FETCHERS["reddit"](make_source("reddit", "subreddit", "Python"), http)
    assert "members" not in result.metrics
    assert result.metrics == {"online": 812}


@pytest.mark.parametrize(("value", "reason"), HOSTILE)
def test_hostile_nodeinfo_user_total(httpserver, http, make_source, value, reason):
    """NodeInfo takes two requests: the discovery document, then the document it links to."""
    httpserver.expect_request("/.well-known/nodeinfo").respond_with_json(
        body("nodeinfo/discovery_mastodon.json")
    )
    document = put_at(body("nodeinfo/mastodon_2.0.json"), ["usage", "users", "total"], value)
    httpserver.expect_request("/nodeinfo/2.0").respond_with_json(document)
    with pytest.raises(SourceError) as caught:
        FETCHERS["nodeinfo"](make_source("nodeinfo", "host", "mastodon.social"), http)
    message = str(caught.value)
    assert reason in message
    assert "total" in message
    assert "/nodeinfo/2.0" in message


#: second-wave platforms: platform, key, identifier, path served, path the message shows,
#: fixture, JSON path of the members field, secret the source needs (set for the test)
TELEGRAM_TEST_TOKEN = "123456789:AAhostile-values-token"
CASES_WAVE2 = [
    (
        "gitlab",
        "project",
        "inkscape/inkscape",
        "/projects/inkscape/inkscape",
        "/projects/inkscape%2Finkscape",
        "gitlab/project.json",
        ["star_count"],
        None,
    ),
    (
        "youtube",
        "channel",
        "UC_x5XG1OV2P6uZZ5FSM9Ttw",
        "/channels",
        "/channels",
        "youtube/channel.json",
        ["items", 0, "statistics", "subscriberCount"],
        "YOUTUBE_API_KEY",
    ),
    (
        "telegram",
        "chat",
        "@telegram",
        f"/bot{TELEGRAM_TEST_TOKEN}/getChatMemberCount",
        "/bot{TELEGRAM_BOT_TOKEN}/getChatMemberCount",
        "telegram/member_count.json",
        ["result"],
        "TELEGRAM_BOT_TOKEN",
    ),
    (
        "slack",
        "channel",
        "C1234567890",
        "/conversations.info",
        "/conversations.info",
        "slack/conversations_info.json",
        ["channel", "num_members"],
        "SLACK_BOT_TOKEN",
    ),
]


@pytest.mark.parametrize(("value", "reason"), HOSTILE)
@pytest.mark.parametrize(
    ("platform", "key", "ident", "served", "shown", "fixture", "field", "env"), CASES_WAVE2
)
def test_hostile_member_count_second_wave(
    httpserver,
    http,
    make_source,
    monkeypatch,
    platform,
    key,
    ident,
    served,
    shown,
    fixture,
    field,
    env,
    value,
    reason,
):
    if env:
        monkeypatch.setenv(env, TELEGRAM_TEST_TOKEN if platform == "telegram" else "test-secret")
    httpserver.expect_request(served).respond_with_json(put_at(body(fixture), field, value))
    with pytest.raises(SourceError) as caught:
        FETCHERS[platform](make_source(platform, key, ident), http)
    message = str(caught.value)
    assert reason in message
    assert str(field[-1]) in message
    assert shown in message  # names the endpoint
    assert TELEGRAM_TEST_TOKEN not in message


@pytest.mark.parametrize(
    ("platform", "key", "ident", "path", "fixture", "field", "env"),
    [
        (
            "gitlab",
            "group",
            "gitlab-org",
            "/groups/gitlab-org",
            "gitlab/group.json",
            ["created_at"],
            None,
        ),
        (
            "youtube",
            "channel",
            "UC_x5XG1OV2P6uZZ5FSM9Ttw",
            "/channels",
            "youtube/channel.json",
            ["items", 0, "snippet", "publishedAt"],
            "YOUTUBE_API_KEY",
        ),
        (
            "slack",
            "channel",
            "C1234567890",
            "/conversations.info",
            "slack/conversations_info.json",
            ["channel", "created"],
            "SLACK_BOT_TOKEN",
        ),
    ],
)
def test_future_creation_date_second_wave(
    httpserver, http, make_source, monkeypatch, platform, key, ident, path, fixture, field, env
):
    if env:
        monkeypatch.setenv(env, "test-secret")
    future = 4102444800 if field[-1] == "created" else "2100-01-01T00:00:00Z"
    httpserver.expect_request(path).respond_with_json(put_at(body(fixture), field, future))
    with pytest.raises(SourceError, match="a date in the future"):
        FETCHERS[platform](make_source(platform, key, ident), http)
