"""Progress (bar on a terminal, lines otherwise) and the report table."""

from __future__ import annotations

import io

from collect_helpers import registry

from community_metrics.collect.command import run_snapshot
from community_metrics.collect.progress import Progress, format_report
from community_metrics.collect.run import SourceReport

ROWS = [
    SourceReport("python", "discourse:discuss.python.org", "ok", ["members", "posts"], 0.41),
    SourceReport("rust", "github:rust-lang/rust", "stale", ["members"], 1.5, "x answered 502"),
]


def test_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, tty=False)
    progress.start(2)
    for done, row in enumerate(ROWS, 1):
        progress.update(done, 2, row)
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert lines == [
        "community_metrics: collecting 2 sources",
        "community_metrics: [1/2] discourse:discuss.python.org ok (0.41 s)",
        "community_metrics: [2/2] github:rust-lang/rust stale (1.50 s)",
    ]


def test_bar_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, tty=True)
    progress.start(2)
    progress.update(1, 2, ROWS[0])
    progress.update(2, 2, ROWS[1])
    progress.finish()
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n")
    assert "[" + "#" * 15 + "." * 15 + "] 1/2  failed: 0" in text
    assert "] 2/2  failed: 1" in text


def test_report_table_columns() -> None:
    lines = format_report(ROWS).splitlines()
    assert lines[0].split() == ["source", "status", "metrics", "seconds", "error"]
    assert lines[2].startswith("python / discourse:discuss.python.org  ok      members, posts")
    assert lines[3].endswith("1.50     x answered 502")


def test_empty_registry_writes_nothing(tmp_path) -> None:
    config = registry(tmp_path / "c.yml", [])
    config.write_text("communities: []\n")
    out = io.StringIO()
    status = run_snapshot(config=config, data=tmp_path / "data", out=out, err=io.StringIO())
    assert status == 0 and "no sources to collect; nothing written" in out.getvalue()
    assert not (tmp_path / "data").exists()
