"""One definition of a successful run: invoke snapshot's exit status and the nightly job's
verdict agree; manual values are never collected (they reach the history one way only)."""

from __future__ import annotations

import importlib.util
import io
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from community_metrics.collect.command import run_snapshot
from community_metrics.store.snapshots import read_snapshot, snapshot_path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("nightly", ROOT / "scripts" / "nightly.py")
nightly = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("nightly", nightly)
_spec.loader.exec_module(nightly)

MANUAL = """\
      - platform: manual
        name: meetup
        values:
          - {date: 2026-01-01, members: 120}
"""


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on: every request to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def registry(tmp_path: Path, *, platform_source: bool) -> Path:
    text = "communities:\n  - slug: py\n    name: Python\n    sources:\n" + MANUAL
    if platform_source:
        text += (
            "      - platform: discourse\n        host: discuss.example.org\n"
            f"        api: http://127.0.0.1:{closed_port()}\n"
        )
    path = tmp_path / "communities.yml"
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(tmp_path: Path, config: Path) -> tuple[int, Path]:
    status = run_snapshot(
        config=config,
        data=tmp_path / "data",
        date="2026-01-02",
        out=io.StringIO(),
        err=io.StringIO(),
        http_options={"retries": 0},
    )
    return status, snapshot_path(tmp_path / "data", "2026-01-02")


def test_a_failed_platform_beside_a_manual_source_fails_both_verdicts(tmp_path: Path) -> None:
    started = datetime.now(UTC).replace(microsecond=0)
    status, path = snapshot(tmp_path, registry(tmp_path, platform_source=True))
    written = read_snapshot(path)
    assert [o.platform for o in written.observations] == ["discourse"]  # manual: not collected
    verdict = nightly.outcome(written, started).succeeded
    assert status == 1
    assert verdict is False  # the nightly job fails too: the two agree
    with pytest.raises(nightly.StepError, match="every source failed"):
        nightly.judge(path, started, "test")


def test_a_registry_of_manual_values_only_collects_nothing_and_succeeds(tmp_path: Path) -> None:
    status, path = snapshot(tmp_path, registry(tmp_path, platform_source=False))
    assert status == 0 and not path.exists()  # nothing asked: no day file, no failure
    assert nightly.run_succeeded([]) is True
