"""The committed cassette answers every request of tests/fixtures/registry.yml, through the
real HTTP layer in replay mode (no network), and is what make_cassette.py builds."""

import subprocess
import sys
from pathlib import Path

from community_metrics.collect.http import HttpClient
from community_metrics.collect.sources import FETCHERS
from community_metrics.registry.config import load_registry
from community_metrics.registry.platforms import PLATFORMS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_every_source_of_the_test_registry_replays_ok():
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
    assert results["github:python/cpython"].metrics == {"members": 68123, "contributors": 2847}
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


def test_committed_cassette_is_up_to_date():
    check = subprocess.run(
        [sys.executable, str(FIXTURES / "make_cassette.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
