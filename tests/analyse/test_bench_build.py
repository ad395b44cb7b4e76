"""The scale benchmark still runs end to end (tiny size; figures are printed, not asserted)."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_measure_reports_every_figure() -> None:
    from bench import build

    result = build.measure(3, 20)
    assert result["communities"] == 3 and result["days"] == 20
    assert result["history_bytes"] > 0
    assert set(result["data_path"]) == {
        "wall_seconds",
        "load_history_seconds",
        "metrics_charts_seconds",
        "peak_rss_bytes",
    }
    assert "error" not in result["build"], result["build"]
    assert result["build"]["peak_rss_bytes"] > 10 * 2**20  # a real child's RSS, in bytes


@pytest.mark.slow
def test_baseline_and_output_figures_are_reported() -> None:
    from bench import build

    plain = build.baseline(articles=5, repeat=2)
    assert plain["articles"] == 5 and plain["wall_seconds"] > 0 and plain["peak_rss_bytes"] > 0
    assert len(plain["wall_seconds_runs"]) == 2  # every run on record, the best as the figure
    assert plain["wall_seconds"] == min(plain["wall_seconds_runs"])
    assert plain["reference_seconds"] > 0  # the machine's speed, beside its figures
    result = build.measure(3, 20)
    assert result["build"]["output_bytes"] > 0 and result["build"]["fits_github_pages"] is True
    assert result["build"]["largest_file_bytes"] <= result["build"]["output_bytes"]
