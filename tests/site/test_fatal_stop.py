"""A publish build that stops on a broken post ends with the reason, not a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_fatal_warnings_stop_names_the_file_without_a_traceback(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "broken.md").write_text(
        "Title: Broken\nDate: 2026-13-45\nCategory: Measurement\n\nBody.\n", encoding="utf-8"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            str(content),
            "-s",
            "publishconf.py",
            "--fatal",
            "warnings",
            "-o",
            str(tmp_path / "out"),
            "-e",
            "COMMUNITY_METRICS_FETCH=false",
            f'COMMUNITY_METRICS_DATA="{tmp_path / "none"}"',
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "SITEURL": "https://example.org"},
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "broken.md:2" in output and "2026-13-45" in output
    assert "the build stopped at the first warning or error" in output
    assert "Traceback" not in output
