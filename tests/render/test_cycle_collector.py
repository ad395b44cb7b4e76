"""The history is kept out of the cycle collector for the build, and only for the build."""

from __future__ import annotations

import gc
from pathlib import Path

from dashboard_helpers import build


def test_the_history_is_frozen_while_the_pages_are_made_and_released_after(tmp_path: Path) -> None:
    from community_metrics.glue.generator import community_metrics_generator_finalized

    seen: list[int] = []

    def frozen(_generator: object) -> None:
        seen.append(gc.get_freeze_count())

    community_metrics_generator_finalized.connect(frozen)
    try:
        before = gc.get_freeze_count()
        build(tmp_path / "site")
    finally:
        community_metrics_generator_finalized.disconnect(frozen)
    assert seen and seen[0] > before  # the loaded history, among others, is frozen
    assert gc.get_freeze_count() == 0  # a server that builds again can collect all of it
    assert gc.isenabled()  # off only while the snapshots were read
