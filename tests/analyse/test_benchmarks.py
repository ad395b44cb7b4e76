"""Benchmark figures as data: the committed files load, say what was published, keep
conflicts, and a broken file is named with its entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from community_metrics.analyse.benchmarks import (
    BenchmarkError,
    band_shares,
    benchmark_groups,
    load_benchmarks,
    parse_study,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def studies():
    return {s.id: s for s in load_benchmarks(ROOT / "data" / "benchmarks")}


def figure(studies, study: str, ident: str):
    return next(f for f in studies[study].figures if f.id == ident)


def test_committed_files_load(studies) -> None:
    assert set(studies) == {"deloitte-2008", "deloitte-2009", "deloitte-2010", "participation"}
    for study in studies.values():
        for item in study.figures:
            assert item.source and item.value_text and item.population
            assert item.source_type in ("primary", "secondary", "derived")


def test_deloitte_2008_size_bands_as_published(studies) -> None:
    assert band_shares(list(studies.values()), "size") == [
        (
            "Deloitte 2008 (published; one share derived)",
            {"≤100": 34, "101–500": 27, ">1,000": 25, "501–1,000": 14},
        )
    ]
    derived = figure(studies, "deloitte-2008", "size-501-1000")
    assert derived.derived and derived.source_type == "derived"
    assert band_shares(list(studies.values()), "age") == [
        ("Deloitte 2008 (published)", {"<6 months": 40, "6–12 months": 15})
    ]


def test_conflicting_values_are_kept(studies) -> None:
    small = figure(studies, "deloitte-2008", "size-under-100")
    assert [(c.value, c.source_type) for c in small.conflicts] == [(35, "secondary")]
    under_year = figure(studies, "deloitte-2008", "age-under-1-year")
    assert under_year.value == 55 and under_year.conflicts[0].value == 60
    spend = figure(studies, "deloitte-2008", "spend-over-1m")
    assert spend.value == 6 and "typo" in spend.conflicts[0].value_text
    engaged = figure(studies, "deloitte-2008", "obstacle-engagement")
    assert (engaged.value, engaged.conflicts[0].value) == (50, 51)


def test_splits_ranges_and_per_figure_population(studies) -> None:
    nielsen = figure(studies, "participation", "nielsen-90-9-1")
    assert nielsen.value == (90, 9, 1) and nielsen.year == 2006
    assert nielsen.parts == ("lurkers", "occasional contributors", "heavy contributors")
    share = figure(studies, "deloitte-2010", "participation-share")
    assert share.is_range and share.value == (5, 10)
    assert figure(studies, "deloitte-2009", "investment").year == 2009  # inherits the study's
    assert "Gartner prediction" in studies["participation"].notes


GOOD = """
study: A study
short: A
year: 2008
population: some companies
figures:
  - id: a
    figure: something
    value: 10
    value_text: "10%"
    source: somewhere
    source_type: primary
"""


def test_a_good_minimal_file(tmp_path: Path) -> None:
    study, problems = parse_study(GOOD, "x.yml")
    assert problems == [] and study.figures[0].value == 10


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("value: 10", "value: ten"), "figure 1 (a): 'value' must be a non-negative number"),
        (("source_type: primary", "source_type: blog"), "'source_type' must be one of"),
        (("    source: somewhere\n", ""), "figure 1 (a): 'source' is missing"),
        (("year: 2008", "year: 208"), "the study: 'year' must be a year"),
        (
            ("    value: 10\n", "    value: 10\n    band: {kind: size, band: tiny}\n"),
            "'band' must be",
        ),
        (("    value: 10\n", "    value: 10\n    colour: red\n"), "unknown key 'colour'"),
        (("source_type: primary", "source_type: derived"), "must say 'derived: true'"),
        (("figures:", "figures: []\nx:"), "unknown key 'x'"),
        (("short: A", "short: [A"), "malformed YAML"),
    ],
)
def test_bad_entries_are_named(tmp_path: Path, change, message) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(BenchmarkError) as caught:
        load_benchmarks(tmp_path)
    assert any(p.startswith(str(path)) and message in p for p in caught.value.problems), (
        caught.value.problems
    )


def test_band_shares_by_kind_alone_loads_the_committed_files() -> None:
    assert band_shares("size")[0][1]["≤100"] == 34


def test_groups_for_the_page_name_conflicts_and_tracked_counts(studies) -> None:
    groups = benchmark_groups(
        list(studies.values()), tracked={"size": {"≤100": 3, ">1,000": 1}, "age": {}}
    )
    first = groups[0]
    assert first.title.startswith("Deloitte, Tribalization of Business, 2008")
    row = next(r for r in first.rows if r.figure.startswith("communities with fewer than 100"))
    assert row.conflict
    assert row.value == "34%; also published: 35% (WSJ coverage, via blog.experientia.com)"
    assert row.tracked == "3 of 4 (75%)"
    assert row.population.endswith(", 2008")
    assert row.source.endswith("(secondary)")
    derived = next(r for r in first.rows if r.figure.startswith("501–1,000"))
    assert (
        derived.derived and derived.value == "≈14% (derived)" and derived.tracked == "0 of 4 (0%)"
    )
    age = next(r for r in first.rows if r.figure.startswith("communities less than 6 months"))
    assert age.tracked == "—"  # no tracked community has an age band yet
