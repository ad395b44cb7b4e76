"""Commands of Community Pulse (invoke). Each task is thin: the work lives in importable code.

Owners while the project is being built: build/serve/livereload/clean/publish/new_post (site),
snapshot (collectors), demo (dashboard), bench (pipeline). Keep each task a few lines.
"""

from __future__ import annotations

import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))


@task
def build(c, config="communities.yml", data="data"):
    """Build output/ from the registry and data/ (demo/ when data/ holds no snapshot yet)."""
    raise Exit("not implemented yet", code=2)


@task
def snapshot(c, only=None, date=None, config="communities.yml", data="data", record=None,
             replay=None, shard=None, merge=False):
    """Collect today's snapshot into data/snapshots/YYYY/YYYY-MM-DD.json."""
    from community_metrics.snapshot_command import run_snapshot

    status = run_snapshot(only=only, date=date, config=config, data=data, record=record,
                          replay=replay, shard=shard, merge=merge)
    if status:
        raise Exit(code=status)


@task
def demo(c, communities=12, days=400, out="demo", seed=1):
    """Write a synthetic, deterministic demo registry and history (flagged synthetic)."""
    from community_metrics.demo import DemoError, generate_demo

    try:
        generate_demo(Path(out), int(communities), int(days), int(seed), progress=print)
    except DemoError as exc:
        raise Exit(f"community_metrics: demo: {exc}", code=2) from None


@task
def bench(c):
    """Measure collector throughput, build time/memory and page weight; print and write bench.json."""
    raise Exit("not implemented yet", code=2)
