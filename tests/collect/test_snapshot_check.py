"""``invoke snapshot --check``: ask each selected source once, say what it returned and what it
needs, write nothing."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from community_metrics.collect.command import main, run_snapshot

FIXTURES = Path(__file__).parent / "sources" / "fixtures"
BLOCK_PAGE = (FIXTURES / "blocks" / "reddit_blocked.html").read_text(encoding="utf-8")


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with a digest of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(autouse=True)
def _no_secrets(monkeypatch):
    for name in ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "STACKEXCHANGE_KEY", "MATRIX_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def registry(tmp_path, server) -> Path:
    api = server.url_for("").rstrip("/")
    config = tmp_path / "communities.yml"
    config.write_text(
        "communities:\n"
        "  - slug: python\n    name: Python\n    sources:\n"
        f"      - platform: discourse\n        host: discuss.python.org\n        api: {api}\n"
        f"      - platform: reddit\n        subreddit: Python\n        api: {api}\n"
        "  - slug: other\n    name: Other\n    sources:\n"
        f"      - platform: discourse\n        host: other.example.org\n        api: {api}/other\n",
        encoding="utf-8",
    )
    about = json.loads((FIXTURES / "discourse" / "about_plural.json").read_text(encoding="utf-8"))
    server.expect_request("/about.json").respond_with_json(about)
    server.expect_request("/r/Python/about.json").respond_with_data(
        BLOCK_PAGE, status=403, content_type="text/html"
    )
    return config


def test_check_says_what_each_source_returned_and_needs_and_writes_nothing(
    tmp_path, registry, server
):
    data = tmp_path / "data"
    day = data / "snapshots" / "2026" / "2026-11-29.json"
    day.parent.mkdir(parents=True)
    day.write_text('{"kept": "as it is"}', encoding="utf-8")
    before = tree(tmp_path)
    out, err = io.StringIO(), io.StringIO()

    status = run_snapshot(check=True, only="python", config=registry, data=data, out=out, err=err)

    text = out.getvalue()
    assert status == 1  # one source needs a fix
    assert "python / discourse:discuss.python.org: ok" in text
    assert "returned: active_1d 1,502, active_30d 5,123, active_7d 2,100, members 41,234" in text
    assert "python / reddit:Python: error" in text
    assert "Reddit's network-policy block page" in text
    assert "needs: set REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET" in text
    assert "https://www.reddit.com/prefs/apps" in text
    assert "nothing was written" in text
    # --only: the other community was not asked
    assert "other" not in text
    assert not [r for r, _ in server.log if r.path.startswith("/other")]
    # each source asked once
    assert [r.path for r, _ in server.log].count("/about.json") == 1
    assert tree(tmp_path) == before


def test_check_exit_status_is_zero_when_every_source_answers(tmp_path, registry, server):
    about = json.loads((FIXTURES / "discourse" / "about_plural.json").read_text(encoding="utf-8"))
    server.expect_request("/other/about.json").respond_with_json(about)
    out = io.StringIO()
    status = run_snapshot(
        check=True, only="other", config=registry, data=tmp_path / "data", out=out
    )
    assert status == 0
    assert "1 answered, 0 failed; nothing was written" in out.getvalue()
    assert not (tmp_path / "data").exists()


def test_check_refuses_options_that_would_write(tmp_path, registry):
    err = io.StringIO()
    for extra in ({"record": str(tmp_path / "c.yml")}, {"shard": "1/2"}, {"date": "2026-11-30"}):
        status = run_snapshot(check=True, config=registry, out=io.StringIO(), err=err, **extra)
        assert status == 2
    assert "--check asks each source once and writes nothing" in err.getvalue()
    assert not (tmp_path / "c.yml").exists()


def test_check_from_the_command_line(tmp_path, registry, capsys):
    status = main(
        ["--check", "--only", "python", "--config", str(registry), "--data", str(tmp_path / "d")]
    )
    assert status == 1
    assert "needs: set REDDIT_CLIENT_ID" in capsys.readouterr().out
    assert not (tmp_path / "d").exists()


def test_invoke_task_passes_check(monkeypatch):
    import tasks

    seen = {}

    def fake(**kwargs):
        seen.update(kwargs)
        return 0

    monkeypatch.setattr("community_metrics.collect.command.run_snapshot", fake)
    tasks.snapshot.body(None, only="python", check=True)
    assert seen["check"] is True and seen["only"] == "python"


def test_snapshot_dash_h_is_help_not_a_check() -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    shown = subprocess.run(
        [sys.executable, "-m", "invoke", "snapshot", "-h"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0
    assert shown.stdout.startswith("Usage:") and "--check" in shown.stdout
