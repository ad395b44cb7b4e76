"""The committed cassette answers every request of tests/fixtures/registry.yml, through the
real HTTP layer in replay mode (no network), and is what make_cassette.py builds."""

import subprocess
import sys
from pathlib import Path

from source_helpers import set_replay_secrets

from community_metrics.collect.http import HttpClient
from community_metrics.collect.sources import FETCHERS
from community_metrics.registry.config import load_registry
from community_metrics.registry.platforms import PLATFORMS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_every_source_of_the_test_registry_replays_ok(monkeypatch):
    set_replay_secrets(monkeypatch)
    registry = load_registry(FIXTURES / "registry.yml")
    assert {s.platform for s in registry.sources} == set(PLATFORMS)
    http = HttpClient(replay=FIXTURES / "cassettes" / "registry.yaml", retries=0)
    results = {}
    for source in registry.sources:
        result = FETCHERS[source.platform](source, http)
        assert result.failures == [], (source.label, result.failures)
        assert result.metrics, source.label
        results[source.label] = result
    assert results["discourse:discuss.python.org"].metrics["members"] == 41234
    assert results["github:python/cpython"].metrics == {
        "members": 68123,
        "contributors": 2847,
        "unanswered": 1234,
    }
    assert results["matrix:#matrix:matrix.org"].metrics == {"members": 12345}
    assert results["mastodon:mastodon.social"].metrics["active_30d"] == 301234
    assert results["manual:meetup"].metrics == {"members": 150}
    assert results["nodeinfo:mastodon.social"].metrics["active_180d"] == 611345
    assert results["nodeinfo:lemmy.world"].extra["local_comments"] == 5123377
    assert results["peertube:video.blender.org"].metrics["active_7d"] == 102
    assert results["peertube:blender_channel@video.blender.org"].metrics["members"] == 9321
    assert results["forgejo:forgejo/forgejo"].created_at == "2022-10-26T14:09:36Z"
    assert results["mediawiki:en.wikipedia.org"].metrics["active_30d"] == 118233
    assert results["huggingface:huggingface"].metrics["contributors"] == 231
    assert results["opencollective:homebrew"].created_at == "2016-05-09T16:21:41Z"  # POST replayed
    assert results["gitlab:inkscape/inkscape"].metrics == {"members": 3456}
    assert results["steam:SteamClientBeta"].metrics == {"members": 1234567, "online": 123456}
    assert results["youtube:@GoogleDevelopers"].metrics == {"members": 2470000, "posts": 6789}
    assert results["telegram:@telegram"].metrics == {"members": 123456}
    assert results["slack:C1234567890"].metrics == {"members": 4321}
    assert results["zulip:chat.zulip.org"].metrics == {"members": 3}
    assert results["stackexchange:stackoverflow"].metrics["unanswered"] == 7123456
    assert results["lemmy:technology@lemmy.world"].metrics["active_180d"] == 34567


def test_the_committed_cassette_holds_no_secret():
    text = (FIXTURES / "cassettes" / "registry.yaml").read_text(encoding="utf-8")
    assert "replay-test-secret" not in text
    assert "/bot***/" in text and "key=***" in text
    assert "Authorization" not in text and "authorization" not in text


def test_committed_cassette_is_up_to_date():
    check = subprocess.run(
        [sys.executable, str(FIXTURES / "make_cassette.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
