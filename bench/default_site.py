"""Build time and peak memory of the default site: this repository as it is (communities.yml,
data/ or demo/ when data/ holds no snapshot yet, content/, theme/), built with pelicanconf.py
into a temporary folder by a fresh interpreter that reports its own peak resident memory."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_BUILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from pelican import Pelican
from pelican.settings import read_settings
start = time.perf_counter()
settings = read_settings({conf!r}, override={{
    "OUTPUT_PATH": {output!r}, "CACHE_PATH": {cache!r}, "CACHE_CONTENT": False,
}})
Pelican(settings).run()
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
print(json.dumps({{"pelican_seconds": seconds, "peak_rss_bytes": peak}}))
"""


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="pulse-bench-default-") as tmp:
        output = Path(tmp) / "output"
        code = _BUILD.format(
            root=str(ROOT),
            conf=str(ROOT / "pelicanconf.py"),
            output=str(output),
            cache=str(Path(tmp) / "cache"),
        )
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - start
        if done.returncode != 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-8:])
            raise RuntimeError(f"the default site did not build (exit {done.returncode}):\n{tail}")
        inner = json.loads(done.stdout.strip().splitlines()[-1])
        files = [p for p in output.rglob("*") if p.is_file()]
        return {
            "wall_seconds": round(wall, 2),
            "pelican_seconds": round(inner["pelican_seconds"], 2),
            "peak_rss_mib": round(inner["peak_rss_bytes"] / 2**20, 1),
            "files": len(files),
            "output_bytes": sum(p.stat().st_size for p in files),
        }
