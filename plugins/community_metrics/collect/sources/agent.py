"""The User-Agent of every request, set in one place.

Platforms ask for a descriptive User-Agent that says who is calling and how to reach them:

- Wikimedia's policy (https://meta.wikimedia.org/wiki/User-Agent_policy), followed by default
  for every platform: ``<client>/<version> (<contact URL or e-mail>) <library>/<version>``;
- Reddit (https://github.com/reddit-archive/reddit/wiki/API): ``<platform>:<app ID>:<version>
  (by /u/<reddit username>)``; a generic or borrowed User-Agent is throttled or blocked.

Settings (environment variables, so that a fork's nightly job sets them as repository variables):

- ``COMMUNITY_METRICS_CONTACT``: a URL or e-mail address naming who runs this copy. Default: the
  repository the job runs in (``GITHUB_REPOSITORY`` on GitHub Actions), else the project's home;
- ``PULSE_USER_AGENT``: the whole User-Agent for every platform but Reddit, as it is;
- ``REDDIT_USERNAME``: the Reddit account that registered the app (``by /u/<name>``).
"""

from __future__ import annotations

import os

import requests

CLIENT = "CommunityPulse"
APP_ID = "community-pulse"
VERSION = "0.1"
PROJECT_HOME = "https://github.com/community-pulse/community-pulse"

CONTACT_ENV = "COMMUNITY_METRICS_CONTACT"
USER_AGENT_ENV = "PULSE_USER_AGENT"
REDDIT_USER_ENV = "REDDIT_USERNAME"


def _setting(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    # a header value is one line: refuse anything that could split it
    return value if value and "\n" not in value and "\r" not in value else None


def contact() -> str:
    """Who runs this copy: the setting, the GitHub repository of the job, or the project."""
    given = _setting(CONTACT_ENV)
    if given:
        return given
    repository = _setting("GITHUB_REPOSITORY")
    if repository:
        return f"https://github.com/{repository}"
    return PROJECT_HOME


def user_agent() -> str:
    """The default User-Agent (Wikimedia's form), or ``PULSE_USER_AGENT`` as given."""
    return _setting(USER_AGENT_ENV) or (
        f"{CLIENT}/{VERSION} ({contact()}) python-requests/{requests.__version__}"
    )


def reddit_user_agent() -> str:
    """Reddit's form: ``python:community-pulse:0.1 (by /u/name)``; without ``REDDIT_USERNAME``
    the contact stands in for the account."""
    user = _setting(REDDIT_USER_ENV)
    by = f"by /u/{user.removeprefix('/u/').removeprefix('u/')}" if user else f"by {contact()}"
    return f"python:{APP_ID}:{VERSION} ({by})"
