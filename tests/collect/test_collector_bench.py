"""The collector benchmark runs end to end (small numbers: figures belong to the benchmark)."""

from __future__ import annotations

from bench.collector import RETRY_AFTER, run


def test_collector_bench_runs_and_reports_its_figures() -> None:
    figures = run(sources=24, hosts=3, delay=0.05, per_host=2)
    assert figures["exit_status"] == 0 and figures["ok"] == 24
    assert figures["requests"] == 25  # one 429, retried once
    assert 1 <= figures["max_in_flight_per_host"] <= 2
    assert figures["retry_after_waited_s"] >= RETRY_AFTER * 0.95
