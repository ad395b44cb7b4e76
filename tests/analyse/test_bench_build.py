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
    assert plain["user_seconds"] > 0 and plain["system_seconds"] >= 0  # CPU time of the child
    result = build.measure(3, 20)
    assert result["build"]["output_bytes"] > 0 and result["build"]["fits_github_pages"] is True
    assert result["build"]["largest_file_bytes"] <= result["build"]["output_bytes"]


@pytest.mark.slow
def test_run_keeps_every_folder_until_the_last_build(monkeypatch, tmp_path) -> None:
    """Nothing is deleted between two measurements (``_workspace``): the folders of the first
    size still exist while the second is built."""
    from bench import build

    monkeypatch.setattr(build.tempfile, "tempdir", str(tmp_path))
    seen: list[list[str]] = []
    measure = build.measure

    def watching(*args, **kwargs):
        seen.append(sorted(p.name for p in next(tmp_path.iterdir()).iterdir()))
        return measure(*args, **kwargs)

    monkeypatch.setattr(build, "measure", watching)
    figures = build.run(((2, 5), (3, 5)), repeat=1)
    assert seen == [["baseline"], ["2x5", "baseline"]]
    assert figures["2x5"]["build"]["user_seconds"] > 0
    assert list(tmp_path.iterdir()) == []  # removed after the last build
