"""The README's Secrets table and the Methodology page say, for every platform of the needs
table, what works without a secret and which secret unlocks what; the README rows carry the
anchors the nightly job summary links to."""

from __future__ import annotations

from pathlib import Path

import pytest

from community_metrics.collect.sources.needs import NEEDS, advice
from community_metrics.registry.platforms import PLATFORMS

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text(encoding="utf-8")
METHODOLOGY = (ROOT / "content" / "pages" / "methodology.md").read_text(encoding="utf-8")


def row(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


@pytest.mark.parametrize("platform", sorted(NEEDS))
def test_readme_row_per_platform(platform):
    needs = NEEDS[platform]
    line = row(README, f'| <a id="{needs.anchor}"></a>')
    assert needs.without_secret in line
    for secret in needs.secrets:
        assert f"`{secret}`" in line
    assert platform in PLATFORMS


@pytest.mark.parametrize("platform", sorted(NEEDS))
def test_methodology_row_per_platform(platform):
    needs = NEEDS[platform]
    line = row(METHODOLOGY, f"| {PLATFORMS[platform].title} |")
    assert needs.without_secret in line
    for secret in needs.secrets:
        assert f"`{secret}`" in line


def test_readme_documents_the_user_agent_settings():
    for name in ("COMMUNITY_METRICS_CONTACT", "PULSE_USER_AGENT", "REDDIT_USERNAME"):
        assert f"| `{name}` |" in README


def test_advice_names_missing_secrets_and_where(monkeypatch):
    monkeypatch.delenv("REDDIT_CLIENT_ID", raising=False)
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "x" * 20)
    text = advice("reddit", failed=True)
    assert text.startswith("set REDDIT_CLIENT_ID (")
    assert "REDDIT_CLIENT_SECRET" not in text.split("(")[0]
    assert "https://www.reddit.com/prefs/apps" in text
    monkeypatch.delenv("STACKEXCHANGE_KEY", raising=False)
    assert advice("stackexchange", failed=False).startswith("optional: STACKEXCHANGE_KEY")
    assert advice("mastodon", failed=True) is None
    assert "ask the forum's admins" in advice("discourse", failed=True)
