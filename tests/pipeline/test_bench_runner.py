"""bench/run.py: one table and bench.json from the benchmark modules, tolerating missing ones."""

from __future__ import annotations

import json
import sys
import types

import pytest

from bench import run as bench_run


def fake_module(name: str, run):
    module = types.ModuleType(name)
    module.run = run
    return module


@pytest.fixture
def modules(monkeypatch):
    def install(**runs):
        modules_of = {section: module for section, module, _ in bench_run.SECTIONS}
        for section, runner in runs.items():
            name = modules_of[section]
            if runner is None:
                monkeypatch.setitem(sys.modules, name, None)  # import fails
            else:
                monkeypatch.setitem(sys.modules, name, fake_module(name, runner))

    return install


def test_figures_of_every_module_land_in_the_table_and_json(modules, tmp_path, capsys):
    modules(
        collector=lambda: {"sources": 500, "sources_per_second": 812.5},
        site=lambda: {"wall_seconds": 3.5, "peak_rss_mib": 180.2},
        build=lambda: {"cases": [{"name": "demo 100x365", "seconds": 4.25, "peak_mib": 310.0}]},
        pages=lambda: {"gzip_bytes": {"/": 10240, "/dashboard/": 51200}},
    )
    out = tmp_path / "bench.json"
    assert bench_run.main(["--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "sources_per_second" in printed and "812" in printed
    assert "cases[demo 100x365].peak_mib" in printed
    assert "gzip_bytes./dashboard/" in printed and "51,200" in printed
    assert "peak_rss_mib" in printed and "180" in printed
    saved = json.loads(out.read_text())
    assert saved["machine"]["cores"] >= 1 and saved["machine"]["python"]
    assert saved["machine"]["memory_bytes"] > 0 and saved["machine"]["cpu"]
    assert saved["date"].endswith("Z")
    assert saved["sections"]["pages"]["figures"]["gzip_bytes"]["/"] == 10240
    assert all(s["status"] == "ok" for s in saved["sections"].values())


def test_a_missing_module_is_one_clear_line_and_the_rest_still_runs(modules, tmp_path, capsys):
    modules(
        collector=None,
        site=lambda: {"wall_seconds": 2.0},
        build=lambda: {"seconds": 1.5},
        pages=lambda: {"bytes": 3},
    )
    out = tmp_path / "bench.json"
    assert bench_run.main(["--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "bench.collector is missing" in captured.err
    saved = json.loads(out.read_text())
    assert saved["sections"]["collector"]["status"] == "missing"
    assert saved["sections"]["build"]["figures"] == {"seconds": 1.5}


def test_a_failing_module_is_reported_and_fails_the_command(modules, tmp_path, capsys):
    def broken():
        raise RuntimeError("server did not start")

    modules(collector=broken, site=lambda: {}, build=lambda: {"s": 1.0}, pages=lambda: {"b": 3})
    out = tmp_path / "bench.json"
    assert bench_run.main(["--out", str(out), "--only", "collector", "--only", "pages"]) == 1
    saved = json.loads(out.read_text())
    assert saved["sections"]["collector"]["status"] == "failed"
    assert "server did not start" in saved["sections"]["collector"]["error"]
    assert "build" not in saved["sections"]  # --only
    assert "server did not start" in capsys.readouterr().err
