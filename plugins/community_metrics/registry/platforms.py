"""Every platform the registry accepts, as data: its identifier keys, options, patterns,
default API base and token variable.

The registry validates ``communities.yml`` against these specs without importing the code
that fetches (``collect/sources/<name>.py`` holds that, one module per platform, keyed by the
same name). Adding a platform = one spec here + one module in ``collect/sources/`` + its tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PlatformSpec:
    """What the registry checks for a source entry of one platform."""

    name: str
    title: str  # for people: "Discourse forum"
    #: identifier keys a source entry may use; exactly one must be given. key -> help text.
    identifiers: dict[str, str]
    #: further optional keys. key -> help text.
    options: dict[str, str] = field(default_factory=dict)
    #: the API base used when the entry gives no ``api:``; None when derived from the identifier.
    default_api: str | None = None
    #: environment variable read for a token when the entry names none; None: no token used.
    default_token_env: str | None = None
    #: identifier or option key -> regular expression its value must match in full (on load).
    identifier_patterns: dict[str, str] = field(default_factory=dict)
    #: True when no request can be made without that token (the others only get more quota).
    token_required: bool = False


#: Variables without which a source of their platform cannot make its request at all.
def required_tokens() -> tuple[str, ...]:
    return tuple(
        s.default_token_env for s in PLATFORMS.values() if s.token_required and s.default_token_env
    )


HOST = r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?"
GITHUB_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
GITHUB_REPO = rf"{GITHUB_NAME}/[A-Za-z0-9._-]{{1,100}}"
STACKEXCHANGE_SITE = r"[a-z0-9.-]{2,80}"
STACKEXCHANGE_TAG = rf"(?:{STACKEXCHANGE_SITE}/)?[a-z0-9+#.-]{{1,35}}"
FORGEJO_REPO = r"[A-Za-z0-9_.-]{1,40}/[A-Za-z0-9_.-]{1,100}"
MEDIAWIKI_PATH = r"/|(?:/[A-Za-z0-9._~-]+)+/?"
GITLAB_SEGMENT = r"[A-Za-z0-9_.][A-Za-z0-9_.-]{0,254}"
EMAIL = r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"
MATRIX_PAGE_SIZE = 100
MATRIX_DEFAULT_PAGES = 10

_SPECS = (
    PlatformSpec(
        name="github",
        title="GitHub repository or organization",
        identifiers={
            "repo": "owner/name of a repository, e.g. python/cpython",
            "org": "an organization's login, e.g. rust-lang",
        },
        default_api="https://api.github.com",
        default_token_env="GITHUB_TOKEN",  # noqa: S106 -- a variable name
        identifier_patterns={"repo": GITHUB_REPO, "org": GITHUB_NAME},
    ),
    PlatformSpec(
        name="discourse",
        title="Discourse forum",
        identifiers={"host": "the forum's host name, e.g. discuss.python.org"},
        identifier_patterns={"host": HOST},
    ),
    PlatformSpec(
        name="stackexchange",
        title="Stack Exchange site or tag",
        identifiers={
            "site": "a site's API name, e.g. stackoverflow or unix",
            "tag": "a tag on Stack Overflow, e.g. python, or site/tag, e.g. unix/bash",
        },
        default_api="https://api.stackexchange.com",
        default_token_env="STACKEXCHANGE_KEY",  # noqa: S106 -- a variable name (app key)
        identifier_patterns={"site": STACKEXCHANGE_SITE, "tag": STACKEXCHANGE_TAG},
    ),
    PlatformSpec(
        name="mastodon",
        title="Mastodon instance or account",
        identifiers={
            "instance": "the server's host name, e.g. mastodon.social",
            "account": "user@host, e.g. Mastodon@mastodon.social",
        },
        identifier_patterns={"instance": HOST, "account": rf"@?[A-Za-z0-9_.-]{{1,64}}@{HOST}"},
    ),
    PlatformSpec(
        name="reddit",
        title="Reddit subreddit",
        identifiers={"subreddit": "the subreddit's name without r/, e.g. Python"},
        default_api="https://www.reddit.com",
        identifier_patterns={"subreddit": r"(?:r/)?[A-Za-z0-9][A-Za-z0-9_]{1,20}"},
    ),
    PlatformSpec(
        name="discord",
        title="Discord server (by invite code)",
        identifiers={
            "invite": "a permanent server invite code, e.g. python (from discord.gg/python)"
        },
        default_api="https://discord.com/api/v10",
        identifier_patterns={"invite": r"[A-Za-z0-9-]{2,64}"},
    ),
    PlatformSpec(
        name="bluesky",
        title="Bluesky account",
        identifiers={"handle": "the account's handle, e.g. bsky.app"},
        default_api="https://public.api.bsky.app",
        identifier_patterns={"handle": r"@?[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?"},
    ),
    PlatformSpec(
        name="lemmy",
        title="Lemmy (or PieFed) community",
        identifiers={"community": "name@host, e.g. technology@lemmy.world"},
        options={"version": "API flavour: v3 (default), v4 (Lemmy 1.0) or piefed"},
        identifier_patterns={
            "community": rf"!?[A-Za-z0-9_]{{1,100}}@{HOST}",
            "version": r"v3|v4|piefed",
        },
    ),
    PlatformSpec(
        name="matrix",
        title="Matrix room",
        identifiers={
            "room": "the room's alias, e.g. '#matrix:matrix.org' (quote it: # starts a comment)"
        },
        options={
            "max_pages": (
                f"directory pages of {MATRIX_PAGE_SIZE} rooms to read "
                f"(default {MATRIX_DEFAULT_PAGES})"
            )
        },
        identifier_patterns={
            "room": r"#[^:\s]{1,255}:[A-Za-z0-9.-]+(?::\d{1,5})?",
            "max_pages": r"[1-9]\d{0,2}",
        },
        default_token_env="MATRIX_TOKEN",  # noqa: S106 -- a variable name
    ),
    PlatformSpec(
        name="manual",
        title="Manual counts (typed by a maintainer)",
        identifiers={"name": "what is counted, e.g. meetup or mailing-list"},
        options={
            "values": "list of {date: YYYY-MM-DD, <metric>: number, note: source of the figure}",
            "csv": "CSV file (relative to the registry) with columns date,metric,value,note",
            "created_at": "date the community began on this platform, YYYY-MM-DD",
        },
        identifier_patterns={"name": r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}"},
    ),
    PlatformSpec(
        name="nodeinfo",
        title="Fediverse server (NodeInfo)",
        identifiers={"host": "the server's host name, e.g. mastodon.social or pixelfed.social"},
        identifier_patterns={"host": HOST},
    ),
    PlatformSpec(
        name="peertube",
        title="PeerTube instance or channel",
        identifiers={
            "instance": "the PeerTube server's host name, e.g. framatube.org",
            "channel": "a video channel as name@host, e.g. blender_channel@video.blender.org",
        },
        identifier_patterns={"instance": HOST, "channel": rf"[A-Za-z0-9._-]{{1,50}}@{HOST}"},
    ),
    PlatformSpec(
        name="forgejo",
        title="Forgejo or Gitea repository",
        identifiers={"repo": "owner/name of a repository, e.g. forgejo/forgejo (on codeberg.org)"},
        default_api="https://codeberg.org",
        identifier_patterns={"repo": FORGEJO_REPO},
    ),
    PlatformSpec(
        name="mediawiki",
        title="MediaWiki wiki",
        identifiers={"site": "the wiki's host name, e.g. en.wikipedia.org"},
        options={"path": "script path where api.php lives (default /w; / for the root)"},
        identifier_patterns={"site": HOST, "path": MEDIAWIKI_PATH},
    ),
    PlatformSpec(
        name="huggingface",
        title="Hugging Face organization",
        identifiers={"org": "the organization's name on huggingface.co, e.g. huggingface"},
        default_api="https://huggingface.co",
        identifier_patterns={"org": r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,95})"},
    ),
    PlatformSpec(
        name="opencollective",
        title="Open Collective collective",
        identifiers={"collective": "the collective's slug on opencollective.com, e.g. webpack"},
        default_api="https://opencollective.com",
        identifier_patterns={"collective": r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,99})"},
    ),
    PlatformSpec(
        name="gitlab",
        title="GitLab project or group",
        identifiers={
            "project": "full path of a project, e.g. gitlab-org/gitlab or inkscape/inkscape",
            "group": "full path of a group, e.g. gitlab-org or inkscape",
        },
        default_api="https://gitlab.com/api/v4",
        default_token_env="GITLAB_TOKEN",  # noqa: S106 -- a variable name
        identifier_patterns={
            "project": rf"{GITLAB_SEGMENT}(?:/{GITLAB_SEGMENT}){{1,20}}",
            "group": rf"{GITLAB_SEGMENT}(?:/{GITLAB_SEGMENT}){{0,20}}",
        },
    ),
    PlatformSpec(
        name="steam",
        title="Steam community group",
        identifiers={
            "group": (
                "the group's URL name, e.g. SteamClientBeta "
                "(from steamcommunity.com/groups/SteamClientBeta)"
            )
        },
        default_api="https://steamcommunity.com",
        identifier_patterns={"group": r"[A-Za-z0-9_.-]{2,64}"},
    ),
    PlatformSpec(
        name="youtube",
        title="YouTube channel",
        identifiers={
            "channel": "the channel id, UC followed by 22 characters",
            "handle": "the channel's handle, e.g. '@Google' (quote it)",
        },
        default_api="https://www.googleapis.com/youtube/v3",
        default_token_env="YOUTUBE_API_KEY",  # noqa: S106 -- a variable name
        token_required=True,
        identifier_patterns={
            "channel": r"UC[A-Za-z0-9_-]{22}",
            "handle": r"@?[A-Za-z0-9._-]{3,30}",
        },
    ),
    PlatformSpec(
        name="telegram",
        title="Telegram public channel or group",
        identifiers={"chat": "the public username, e.g. '@telegram' (quote it)"},
        default_api="https://api.telegram.org",
        default_token_env="TELEGRAM_BOT_TOKEN",  # noqa: S106 -- a variable name
        token_required=True,
        identifier_patterns={"chat": r"@?[A-Za-z][A-Za-z0-9_]{3,31}"},
    ),
    PlatformSpec(
        name="slack",
        title="Slack channel",
        identifiers={"channel": "the channel id, e.g. C0123ABC (channel details, bottom)"},
        default_api="https://slack.com/api",
        default_token_env="SLACK_BOT_TOKEN",  # noqa: S106 -- a variable name
        token_required=True,
        identifier_patterns={"channel": r"[CG][A-Z0-9]{6,20}"},
    ),
    PlatformSpec(
        name="zulip",
        title="Zulip organization",
        identifiers={"realm": "the organization's host name, e.g. chat.zulip.org"},
        options={"bot_email": "the e-mail address of the bot whose key is in $ZULIP_API_KEY"},
        default_token_env="ZULIP_API_KEY",  # noqa: S106 -- a variable name
        token_required=True,
        identifier_patterns={"realm": HOST, "bot_email": EMAIL},
    ),
)

PLATFORMS: dict[str, PlatformSpec] = {spec.name: spec for spec in _SPECS}
