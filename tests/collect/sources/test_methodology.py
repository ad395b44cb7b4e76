"""The Methodology page documents every platform and every metric each module can emit."""

import re
from pathlib import Path

import pytest
from source_helpers import set_replay_secrets

from community_metrics.collect.http import HttpClient
from community_metrics.collect.sources import FETCHERS
from community_metrics.contract.model import METRICS
from community_metrics.registry.config import load_registry
from community_metrics.registry.platforms import PLATFORMS

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "content" / "pages" / "methodology.md"

#: what each module can put in ``metrics`` (checked against the modules' real output below)
EMITS = {
    "github": {"members", "contributors", "unanswered"},
    "discourse": {
        "members",
        "topics",
        "posts",
        "active_1d",
        "active_7d",
        "active_30d",
        "posts_7d",
        "posts_30d",
    },
    "stackexchange": {"members", "topics", "posts", "unanswered"},
    "mastodon": {"members", "posts", "active_30d", "posts_7d"},
    "reddit": {"members", "online"},
    "discord": {"members", "online"},
    "bluesky": {"members", "posts"},
    "lemmy": {"members", "active_1d", "active_7d", "active_30d", "active_180d", "topics", "posts"},
    "matrix": {"members"},
    "manual": set(METRICS),
    "nodeinfo": {"members", "active_7d", "active_30d", "active_180d", "posts"},
    "peertube": {"members", "active_1d", "active_7d", "active_30d", "posts"},
    "forgejo": {"members"},
    "mediawiki": {"members", "active_30d", "posts", "topics"},
    "huggingface": {"members", "contributors"},
    "opencollective": {"members", "contributors"},
    "gitlab": {"members"},
    "steam": {"members", "online"},
    "youtube": {"members", "posts"},
    "telegram": {"members"},
    "slack": {"members"},
    "zulip": {"members"},
}


def sections() -> dict[str, str]:
    """Platform name -> the text of its '### Title — `name`' section."""
    text = PAGE.read_text(encoding="utf-8")
    found = {}
    for match in re.finditer(r"^### [^\n]*`(\w+)`\n(.*?)(?=^##|\Z)", text, re.M | re.S):
        found[match.group(1)] = match.group(2)
    return found


def test_front_matter():
    head = PAGE.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert re.search(r"^Title: Methodology$", head, re.M)
    assert re.search(r"^Slug: methodology$", head, re.M)
    assert re.search(r"^Summary: .+", head, re.M)


def test_every_platform_has_a_section():
    assert set(EMITS) == set(PLATFORMS)
    assert set(sections()) == set(PLATFORMS)


@pytest.mark.parametrize("platform", sorted(EMITS))
def test_every_emitted_metric_is_defined_in_its_platform_section(platform):
    section = sections()[platform]
    for metric in EMITS[platform]:
        assert f"`{metric}`" in section, f"{platform}: {metric} is not explained"


def test_the_page_defines_every_metric_statuses_and_bands():
    text = PAGE.read_text(encoding="utf-8")
    for metric in METRICS:
        assert f"`{metric}`" in text
    for status in ("ok", "partial", "stale", "error"):
        assert f"| `{status}` |" in text
    for band in (
        "≤100",
        "101–500",
        "501–1,000",
        ">1,000",
        "<6 months",
        "6–12 months",
        "1–3 years",
        ">3 years",
    ):
        assert band in text


def test_emits_covers_what_the_modules_really_emit(monkeypatch):
    """Replays the test registry: no module emits a metric that EMITS (and the page) lacks."""
    set_replay_secrets(monkeypatch)  # token sources need their secret to build the request
    fixtures = ROOT / "tests" / "fixtures"
    registry = load_registry(fixtures / "registry.yml")
    http = HttpClient(replay=fixtures / "cassettes" / "registry.yaml", retries=0)
    for source in registry.sources:
        result = FETCHERS[source.platform](source, http)
        assert set(result.metrics) <= EMITS[source.platform], source.label
