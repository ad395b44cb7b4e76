"""Progress while collecting (a bar on a terminal, plain lines in CI logs) and the report table."""

from __future__ import annotations

import threading
from typing import TextIO

from community_metrics.collect.run import SourceReport

BAR_WIDTH = 30


class Progress:
    """``update`` is called from the collecting thread pool's consumer, one call per source."""

    def __init__(self, stream: TextIO, *, tty: bool | None = None):
        self.stream = stream
        isatty = getattr(stream, "isatty", None)
        self.tty = tty if tty is not None else bool(isatty and isatty())
        self.total = 0
        self.failed = 0
        self._lock = threading.Lock()

    def start(self, total: int) -> None:
        self.total = total
        self.failed = 0
        if not self.tty:
            self._line(f"community_metrics: collecting {total} sources")

    def update(self, done: int, total: int, report: SourceReport) -> None:
        with self._lock:
            if report.status not in ("ok", "partial"):
                self.failed += 1
            if self.tty:
                filled = BAR_WIDTH * done // max(total, 1)
                bar = "#" * filled + "." * (BAR_WIDTH - filled)
                self.stream.write(
                    f"\r[{bar}] {done}/{total}  failed: {self.failed}  {report.source[:40]:<40}"
                )
                self.stream.flush()
            else:
                self._line(
                    f"community_metrics: [{done}/{total}] {report.source} {report.status} "
                    f"({report.duration:.2f} s)"
                )

    def finish(self) -> None:
        if self.tty and self.total:
            self.stream.write("\n")
            self.stream.flush()

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


def format_report(reports: list[SourceReport]) -> str:
    """The table: source, status, metrics found, duration, error."""
    header = ("source", "status", "metrics", "seconds", "error")
    rows = [
        (
            f"{r.community} / {r.source}",
            r.status,
            ", ".join(r.metrics) if r.metrics else "-",
            f"{r.duration:.2f}",
            (r.error or "").replace("\n", " "),
        )
        for r in reports
    ]
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) if i < 4 else 0 for i in range(5)]
    lines = []
    for row in [header, *rows]:
        cells = [row[i].ljust(widths[i]) if i < 4 else row[i] for i in range(5)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths[:4]) + "  -----")
    return "\n".join(lines)
