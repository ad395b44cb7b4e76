"""What each platform gives a GitHub-hosted runner without a secret, what each secret unlocks
and where to create it: the one table behind ``invoke snapshot --check``, the README's
"Secrets" table (rows anchored ``#platform-<name>``) and the nightly job summary's links.

Facts: PLATFORMS.md "From a CI runner" and the platforms' documentation named in each module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class PlatformNeeds:
    platform: str
    without_secret: str  # what works from a runner with no secret
    secrets: tuple[str, ...] = ()  # environment variables (repository secrets)
    unlocks: str = ""  # what the secrets unlock
    where: str = ""  # where to create them

    @property
    def anchor(self) -> str:
        """The README row's anchor: ``#platform-reddit``."""
        return f"platform-{self.platform}"

    def missing(self) -> list[str]:
        return [name for name in self.secrets if not os.environ.get(name, "").strip()]


NEEDS: dict[str, PlatformNeeds] = {
    n.platform: n
    for n in (
        PlatformNeeds(
            "github",
            "everything, at 60 requests an hour per runner IP (shared with other jobs)",
            ("GITHUB_TOKEN",),
            "5,000 requests an hour",
            "nothing to create in Actions (the job's own token is passed); locally a "
            "fine-grained token without scopes: https://github.com/settings/personal-access-tokens",
        ),
        PlatformNeeds(
            "discourse",
            "public forums' /about.json; forums behind a bot challenge (Cloudflare, Anubis) "
            "refuse runners and the message says so",
            (),
            "",
            "no secret helps: ask the forum's admins to let /about.json through for your "
            "User-Agent (set COMMUNITY_METRICS_CONTACT)",
        ),
        PlatformNeeds(
            "stackexchange",
            "300 requests a day per IP, shared by every job on the runner's IP",
            ("STACKEXCHANGE_KEY",),
            "10,000 requests a day; the app key is sent as key=",
            "register an app at https://stackapps.com/apps/oauth/register and copy its Key",
        ),
        PlatformNeeds("mastodon", "everything (public instance API)"),
        PlatformNeeds(
            "reddit",
            "nothing from a GitHub runner (anonymous requests from cloud IP ranges get 403 "
            "'blocked'); anonymous about.json works from a home connection",
            ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET"),
            "application-only OAuth via oauth.reddit.com, one token per run; "
            "needed on GitHub's runners",
            "create an app of type 'script' at https://www.reddit.com/prefs/apps: the id is "
            "under its name, the secret is 'secret'",
        ),
        PlatformNeeds("discord", "everything (invite counts with with_counts=true)"),
        PlatformNeeds("bluesky", "everything (public AppView)"),
        PlatformNeeds(
            "lemmy",
            "public instances; instances behind a bot challenge (Anubis, Cloudflare) refuse "
            "runners and the message says so",
            (),
            "",
            "no secret helps: track the community on another instance, or ask the admins",
        ),
        PlatformNeeds(
            "matrix",
            "homeservers whose room directory is public; matrix.org answers 401 M_MISSING_TOKEN",
            ("MATRIX_TOKEN",),
            "the room directory of homeservers that require a token",
            "the access token of any account on that homeserver (Element: Settings, "
            "Help & About, Access token); a dedicated account is best",
        ),
        PlatformNeeds("manual", "everything (values typed into the registry)"),
    )
}


def needs_of(platform: str) -> PlatformNeeds | None:
    return NEEDS.get(platform)


def advice(platform: str, failed: bool) -> str | None:
    """One line for ``--check``: the secrets a platform reads that are not set, with where to
    create them (always for a failed source, as a hint for a working one)."""
    needs = NEEDS.get(platform)
    if needs is None:
        return None
    missing = needs.missing()
    if missing:
        verb = "set" if failed else "optional:"
        return f"{verb} {' and '.join(missing)} ({needs.unlocks}); {needs.where}"
    if failed and not needs.secrets and needs.where:
        return needs.where
    return None
