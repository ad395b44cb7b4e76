"""The one rollup rule (analyse/rollup.py): every output path gives the same community total."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jinja2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_metrics.analyse import metrics as m
from community_metrics.analyse import rollup as r
from community_metrics.contract.model import Observation
from community_metrics.registry.config import Community, SourceConfig
from community_metrics.render import downloads, pages
from community_metrics.render.shortcode import Shortcode
from community_metrics.store.history import History

TEMPLATES = Path(__file__).resolve().parents[2] / "plugins" / "community_metrics" / "templates"
NOW = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def day(n: int, start: date = date(2026, 1, 1)) -> str:
    return (start + timedelta(days=n)).isoformat()


def make_history(
    columns: dict[str, list[int | None]],
    registered: list[str] | None,
    stale: dict[str, set[int]] | None = None,
) -> History:
    """A history of community 'py' with one members column per source ('github:<name>')."""
    size = len(next(iter(columns.values())))
    history = History([day(i) for i in range(size)])
    stale = stale or {}
    for index in range(size):
        for source, values in columns.items():
            value = values[index]
            if value is None:
                continue
            status = "stale" if index in stale.get(source, set()) else "ok"
            history.add_day(
                day(index),
                [
                    Observation(
                        "py",
                        "github",
                        source,
                        status,
                        {"members": value},
                        observed_at=f"{day(index)}T03:00:00Z",
                    )
                ],
            )
        history.last_snapshot_date = day(index)
    if registered is not None:
        sources = tuple(
            SourceConfig("py", "github", "repo", label.split(":", 1)[1]) for label in registered
        )
        history._registry = {"py": Community("py", "Python", sources=sources)}
    return history


def renderer(pulse: pages.Pulse, history: History) -> pages.ShortcodeRenderer:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    return pages.ShortcodeRenderer(pulse, history, env)


def every_output(history: History) -> dict[str, str]:
    """The community's newest total and 30-day sentence, as each output path shows them."""
    pulse = pages.build_pulse(
        history, None, now=NOW, origin="data", is_demo=False, plotly_js="plotly.js"
    )
    view = pulse.community("py")
    members_chart = next(c for c in view.charts if c.id.endswith("members"))
    overview = pulse.dashboard_charts[0]
    metric = renderer(pulse, history).render(Shortcode("metric", "py", "members", True), None)
    headline = next(h for h in pulse.headlines if h.label == "Combined audience")
    return {
        "table": view.members_text,
        "headline": headline.value,
        "shortcode": re.sub(r"<[^>]+>", "", metric).split(" (")[0],
        "summary_page": view.summary,
        "summary_chart": members_chart.summary,
        "summary_overview": overview.summary,
        "growth_table": view.growth_30d_text,
    }


def test_second_source_started_15_days_ago_is_not_growth_anywhere() -> None:
    # github:a reports 100 for 46 days; github:b joins 15 days before the end with 62
    a = [100] * 46
    b = [None] * 31 + [62] * 15
    history = make_history({"github:a": a, "github:b": b}, ["github:a", "github:b"])
    shown = every_output(history)
    assert shown["table"] == shown["headline"] == shown["shortcode"] == "162"
    for key in ("summary_page", "summary_chart"):
        assert "not yet 30 days of history" in shown[key], shown
        assert "62%" not in shown[key]
    assert "grew" not in shown["summary_overview"] and "62%" not in shown["summary_overview"]
    assert shown["growth_table"] == "from 2026-03-03"  # when 30 days of the total exist
    total = r.community_series(history, "py", "members")
    assert total.values[:31] == [None] * 31 and total.values[31:] == [162] * 15


def test_a_source_removed_from_the_registry_is_never_in_todays_total() -> None:
    history = make_history(
        {"github:a": [10, 10, 10], "github:old": [5, 5, 5]}, registered=["github:a"]
    )
    pulse = pages.build_pulse(
        history, None, now=NOW, origin="data", is_demo=False, plotly_js="plotly.js"
    )
    view = pulse.community("py")
    assert view.members_text == "10"
    assert r.community_series(history, "py", "members").values == [10, 10, 10]
    rows = {row.source: row.status for row in view.platform_rows}
    assert rows["github:old"] == "no longer tracked"
    names = {trace["name"] for c in view.charts for trace in c.figure["data"]}
    assert "GitHub · old (no longer tracked)" in names  # its history stays visible by name
    status = {row.source: row.status for row in pulse.status_rows}
    assert status["github:old"] == "no longer tracked"


def test_stale_values_say_since_when_in_every_output() -> None:
    history = make_history({"github:a": [10, 11, 11, 11]}, ["github:a"], stale={"github:a": {2, 3}})
    pulse = pages.build_pulse(
        history, None, now=NOW, origin="data", is_demo=False, plotly_js="plotly.js"
    )
    view = pulse.community("py")
    assert view.stale_text == f"(stale since {day(1)})"
    frozen = renderer(pulse, history).render(Shortcode("metric", "py", "members"), day(3))
    assert f"11 (stale since {day(1)})" in frozen and f'title="py members on {day(3)}' in frozen
    assert re.search(r'title="[^"]*stale since ' + day(1), frozen)
    fresh = renderer(pulse, history).render(Shortcode("metric", "py", "members"), day(1))
    assert "stale" not in fresh
    chart = next(c for c in view.charts if c.id.endswith("members"))
    dotted = next(t for t in chart.figure["data"] if t["line"].get("dash") == "dot")
    assert f"(stale since {day(1)})" in dotted["customdata"]
    assert "%{customdata}" in dotted["hovertemplate"]
    rows = list(csv.reader(io.StringIO(downloads.observations_csv(history))))
    assert rows[-1][-2:] == ["stale", day(1)]
    data = json.loads(downloads.observations_json(history))
    assert data["series"][0]["stale_since"] == {day(2): day(1), day(3): day(1)}
    headline = next(h for h in pulse.headlines if h.label == "Combined audience")
    assert f"stale since {day(1)}" in headline.note


def test_huge_values_sum_to_exact_integers_never_infinity() -> None:
    big = 10**308
    assert m.exact_total([float(big), float(big)]) == 2 * int(float(big))
    assert m.exact_total([1e308, 1e308, 0.5]) is None  # a float sum past the range: a gap
    history = make_history({"github:a": [1e308], "github:b": [1e308]}, None)
    total = r.community_series(history, "py", "members")
    assert total.values == [2 * int(1e308)] and isinstance(total.values[0], int)
    shown = every_output(history)
    assert shown["table"] == shown["headline"] == shown["shortcode"] == f"{2 * int(1e308):,}"
    assert m.ratio(10**400, 1) is None  # no OverflowError from two huge integers


def test_an_integer_is_the_same_in_csv_json_and_page() -> None:
    history = make_history({"github:a": [123456789012]}, None)
    rows = list(csv.reader(io.StringIO(downloads.observations_csv(history))))
    assert rows[1][5] == "123456789012"
    data = json.loads(downloads.observations_json(history))
    assert data["series"][0]["metrics"]["members"] == [123456789012]
    assert every_output(history)["table"] == "123,456,789,012"


# --- property: any additions, removals and gaps roll up alike through every path -------------

column = st.lists(st.one_of(st.none(), st.integers(0, 10**6)), min_size=3, max_size=40)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    count=st.integers(1, 4),
)
def test_any_sequence_of_sources_rolls_up_alike_everywhere(data, count: int) -> None:
    size = data.draw(st.integers(3, 40))
    columns = {
        f"github:s{k}": data.draw(
            st.lists(st.one_of(st.none(), st.integers(0, 10**6)), min_size=size, max_size=size)
        )
        for k in range(count)
    }
    if all(v is None for v in columns["github:s0"]):
        columns["github:s0"][0] = 1  # the community exists: one value at least
    registered = data.draw(st.lists(st.sampled_from(sorted(columns)), unique=True))
    history = make_history(columns, registered or None)
    # the rule, written out naively: the counted sources, a total only when all have a value
    labels = registered or sorted(columns)
    counted = [s for s in labels if any(v is not None for v in columns[s])]
    expected = []
    for index in range(size):
        day_values = [columns[s][index] for s in counted]
        ok = counted and all(v is not None for v in day_values)
        expected.append(sum(day_values) if ok else None)
    assert r.community_series(history, "py", "members").values == expected
    newest = next((v for v in reversed(expected) if v is not None), None)
    shown = every_output(history)
    text = m.format_number(newest)
    assert shown["table"] == shown["headline"] == text
    assert shown["shortcode"] == (text if newest is not None else shown["shortcode"])
    if newest is None:
        assert "no members data" in shown["shortcode"]
    total = r.community_series(history, "py", "members")
    assert shown["summary_page"] == shown["summary_chart"] == m.summarize_growth(total)


def test_stale_since_survives_weekly_and_monthly_sampling() -> None:
    from community_metrics.render import charts

    values: list[int | None] = [100] * 800
    history = make_history({"github:a": values}, None, stale={"github:a": set(range(790, 800))})
    total = r.community_series(history, "py", "members")
    chart = charts.members_overview([("py", total)])
    assert chart.table.rows[-1][1] == f"100 (stale since {day(789)})"  # monthly sample
    dotted = next(t for t in chart.figure["data"] if t["line"].get("dash") == "dot")
    assert f"(stale since {day(789)})" in dotted["customdata"]  # weekly sample


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), count=st.integers(1, 4))
def test_the_fast_total_equals_the_general_rule(data, count: int) -> None:
    """Whole-number columns are summed in C (``_sum_whole_columns``); fractions, huge values
    and stale days give the same total, stale flags included, as ``sum_series``."""
    size = data.draw(st.integers(2, 30))
    value = st.one_of(
        st.none(), st.integers(0, 10**6), st.sampled_from([0.5, 2.25, 2.0**53, 1e300])
    )
    columns = {
        f"github:s{k}": data.draw(st.lists(value, min_size=size, max_size=size))
        for k in range(count)
    }
    stale = {
        source: set(data.draw(st.lists(st.integers(0, size - 1), max_size=size)))
        for source in columns
    }
    history = make_history(columns, None, stale)
    counted = r.counted(history, "py", "members")
    general = r.sum_series([history.series("py", s, "members") for s in counted])
    total = r.community_series(history, "py", "members")
    if general is None:
        assert not any(v is not None for v in total.values)
        return
    assert total.values == general.values
    assert [type(v) for v in total.values] == [type(v) for v in general.values]
    assert total.stale == general.stale


def test_a_day_without_a_total_is_not_stale_even_when_a_term_is() -> None:
    """A stale term makes its day's total stale only where there is a total: on a day another
    term has no value, the total is a gap, never a stale gap."""
    history = make_history(
        {"github:a": [1, 2, 3, 4], "github:b": [10, None, 30, 40]},
        None,
        {"github:a": {1, 2}},
    )
    total = r.community_series(history, "py", "members")
    assert total.values == [11, None, 33, 44]
    assert total.stale == [False, False, True, False]
