"""The C-level shortcuts of the hot paths say exactly what the plain rules say.

A large build checks millions of timestamps, rounds millions of chart values and searches
every trace for gaps and lone points; each shortcut is compared here with the rule it replaces,
on generated inputs."""

from __future__ import annotations

import re
from array import array
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from community_metrics.contract import model
from community_metrics.render import charts
from community_metrics.store.history import History, Series, SourceHistory

_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=4)
_STAMP_PARTS = st.lists(
    st.sampled_from(["2026", "-", "02", "29", "T", "12", ":", "5", "9", "Z", "+01:00", ".5", "x"])
    | _DIGITS,
    max_size=12,
)


@given(st.sets(_STAMP_PARTS.map("".join), max_size=6))
def test_checking_days_and_clock_times_apart_is_the_timestamp_pattern(stamps) -> None:
    pattern = re.compile(model.TIMESTAMP_PATTERN)
    expected = all(pattern.match(stamp) for stamp in stamps)
    assert model.timestamps_ok(set(stamps)) == expected
    assert model.timestamps_ok(set(stamps)) == expected  # the remembered parts agree too


def test_a_bad_timestamp_after_good_ones_with_the_same_parts_is_still_refused() -> None:
    assert model.timestamps_ok({"2024-02-29T23:59:59Z", "2026-11-22T04:12:09+01:00"})
    assert not model.timestamps_ok({"2026-02-29T23:59:59Z"})  # no 29 February in 2026
    assert not model.timestamps_ok({"2024-02-29T24:00:00Z"})
    assert not model.timestamps_ok({"2024-02-29T23:59:59"})  # no time zone


_VALUES = st.lists(
    st.none() | st.integers(0, 2**60) | st.floats(0, 1e20, allow_nan=False), max_size=40
)


@given(_VALUES)
def test_rounding_all_values_at_once_is_rounding_each(values) -> None:
    assert charts.round_all(values) == [charts._round(v) for v in values]
    assert [type(v) for v in charts.round_all(values)] == [type(charts._round(v)) for v in values]


@given(_VALUES)
def test_lone_points_found_in_c_are_the_values_with_gaps_on_both_sides(values) -> None:
    padded = [None, *values, None]
    expected = [
        i - 1
        for i in range(1, len(padded) - 1)
        if padded[i] is not None and padded[i - 1] is None and padded[i + 1] is None
    ]
    lone = [m.start() for m in charts._LONE.finditer(charts.presence(values))]
    assert lone == expected


@given(st.lists(st.booleans(), max_size=40))
def test_true_indices_are_the_stale_days(flags) -> None:
    assert charts.true_indices(flags) == [i for i, flag in enumerate(flags) if flag]


@given(_VALUES)
def test_a_gap_is_a_none_between_two_values(values) -> None:
    present = [i for i, v in enumerate(values) if v is not None]
    expected = bool(present) and None in values[present[0] : present[-1] + 1]
    assert charts._has_gap({"y": values}) == expected


@given(st.lists(st.integers(0, 4), max_size=40))
def test_stale_since_found_by_byte_searches_is_the_day_by_day_rule(codes) -> None:
    from community_metrics.render import downloads
    from community_metrics.store.history import STATUS_CODES

    status = bytearray(codes)
    dates = [f"d{i}" for i in range(len(codes))]
    expected: dict[int, str] = {}
    last_fresh = ""
    for index, code in enumerate(codes):
        if code in (STATUS_CODES["ok"], STATUS_CODES["partial"]):
            last_fresh = dates[index]
        elif code == STATUS_CODES["stale"]:
            expected[index] = last_fresh
    assert downloads.stale_since(status, dates) == expected


@given(
    st.lists(st.integers(0, 4), min_size=1, max_size=30).flatmap(
        lambda codes: st.tuples(
            st.just(codes),
            st.lists(st.none() | st.integers(0, 10**6), min_size=len(codes), max_size=len(codes)),
        )
    )
)
def test_a_community_csv_written_over_its_observed_span_is_the_day_by_day_csv(case) -> None:
    """Only the days from a source's first to its last observation are turned into lines; the
    result is what writing every day (and dropping days without an observation) gives."""
    from array import array

    from community_metrics.render import downloads
    from community_metrics.store.history import STATUS_NAMES, History, SourceHistory

    codes, values = case
    dates = [f"2026-01-{n + 1:02d}" for n in range(len(codes))]
    history = History(dates)
    column = array("d", [float("nan") if v is None else v for v in values])
    history._sources = {
        "py": {"github:g": SourceHistory("py", "github:g", "github", bytearray(codes), {})}
    }
    history._sources["py"]["github:g"].values["members"] = column
    since = downloads.stale_since(bytearray(codes), dates)
    expected = ["date,platform,source,status,members,stale_since\n"]
    for index, code in enumerate(codes):
        if code:
            value = "" if values[index] is None else str(values[index])
            expected.append(
                f"{dates[index]},github,github:g,{STATUS_NAMES[code]},{value},"
                f"{since.get(index, '')}\n"
            )
    assert downloads.community_csv(history, "py") == "".join(expected)


@given(_VALUES)
def test_comparison_rounding_at_once_is_rounding_each(values) -> None:
    from community_metrics.render import compare

    def one(v):
        if v is None:
            return None
        return int(v) if float(v).is_integer() else round(v, 4)

    assert compare._rounded(values) == [one(v) for v in values]
    assert [type(v) for v in compare._rounded(values)] == [type(one(v)) for v in values]


def test_whole_numbers_are_converted_in_c_only_while_exact() -> None:
    assert charts.whole_numbers([1.0, None, 2**53 * 1.0, -0.0]) == [1, None, 2**53, 0]
    assert charts.whole_numbers([1.5]) is None
    assert charts.whole_numbers([2.0**60]) is None  # beyond 2**53: the exact rule decides
    assert charts.round_all([2.0**60, 1.5]) == [2**60, 1.5]


@given(
    st.lists(
        st.floats(allow_infinity=False)
        | st.integers(0, 10**6).map(float)
        | st.sampled_from([5e-05, 1e-4, 1e15, 1e16, 0.1, -0.0, 10.00001, 2.0**53 + 2]),
        max_size=30,
    )
)
def test_csv_number_texts_cut_from_json_are_the_value_by_value_rule(values) -> None:
    from array import array

    from community_metrics.render import downloads

    expected = ["" if v != v else "%d" % v if v.is_integer() else repr(v) for v in values]  # noqa: UP031
    assert downloads._number_texts(values) == expected
    assert downloads._number_texts(array("d", values)) == expected
    assert downloads._number_texts(iter(values)) == expected


def _plain_weekly(series):
    """The day-by-day rule that ``charts.weekly`` follows."""
    from datetime import date, timedelta

    from community_metrics.store.history import Series

    dates, values, stale = [], [], []
    end = len(series.dates) - 1
    while end >= 0:
        cutoff = (date.fromisoformat(series.dates[end]) - timedelta(days=7)).isoformat()
        chosen = None
        index = end
        while index >= 0 and series.dates[index] > cutoff:
            if chosen is None and series.values[index] is not None:
                chosen = (series.values[index], series.stale[index])
            index -= 1
        dates.append(series.dates[end])
        values.append(chosen[0] if chosen else None)
        stale.append(chosen[1] if chosen else False)
        end = index
    return Series(dates[::-1], values[::-1], stale[::-1])


def _plain_monthly(series):
    from community_metrics.store.history import Series

    picks = []
    for first, stop in charts._month_spans(series.dates):
        index = stop - 1
        while index > first and series.values[index] is None:
            index -= 1
        picks.append(index)
    return Series(
        [series.dates[i] for i in picks],
        [series.values[i] for i in picks],
        [series.stale[i] for i in picks],
    )


_SPARSE_DAYS = st.lists(st.integers(0, 120), min_size=1, max_size=60, unique=True).map(sorted)


@given(
    _SPARSE_DAYS.flatmap(
        lambda days: st.tuples(
            st.just(days),
            st.lists(st.none() | st.integers(0, 99), min_size=len(days), max_size=len(days)),
            st.lists(st.booleans(), min_size=len(days), max_size=len(days)),
        )
    )
)
def test_weekly_and_monthly_samples_found_in_c_are_the_day_by_day_rule(case) -> None:
    from datetime import date, timedelta

    from community_metrics.store.history import Series

    days, values, stale = case
    dates = [(date(2024, 1, 20) + timedelta(days=d)).isoformat() for d in days]
    series = Series(dates, values, stale)
    assert charts.weekly(series) == _plain_weekly(series)
    assert charts.monthly(series) == _plain_monthly(series)


_DAYS = [f"2026-{m:02d}-{d:02d}" for m in (1, 2) for d in range(1, 29)]


@st.composite
def _traces(draw):
    """Traces over ascending days (as a history's), over days in any order, or with a None
    among the dates: the value range must not depend on which path finds it."""
    traces = []
    for _ in range(draw(st.integers(0, 4))):
        size = draw(st.integers(0, 12))
        xs = sorted(draw(st.lists(st.sampled_from(_DAYS), min_size=size, max_size=size)))
        if draw(st.booleans()):
            xs = draw(st.permutations(xs))
        if xs and draw(st.integers(0, 5)) == 0:
            xs[draw(st.integers(0, len(xs) - 1))] = None
        ys = draw(st.lists(st.none() | st.integers(0, 9), min_size=size, max_size=size + 2))
        traces.append({"x": xs, "y": ys})
    return traces


@given(_traces())
def test_the_value_range_found_by_byte_searches_is_the_min_and_max_of_valued_days(data) -> None:
    pairs = [pair for t in data for pair in zip(t["x"], t["y"], strict=False)]  # y may be longer
    valued = [x for x, y in pairs if y is not None and x is not None]
    expected = (min(valued), max(valued)) if valued else None
    assert charts._value_range(data) == expected


@given(st.lists(st.sampled_from([0, 1, 2, 3, 4]), max_size=30))
def test_stale_flags_without_a_stale_day_are_all_false(codes) -> None:
    history = History([f"2026-01-{d:02d}" for d in range(1, len(codes) + 1)])
    entry = SourceHistory(
        "c", "s", "p", bytearray(codes), {"members": array("d", [1.0] * len(codes))}
    )
    history._sources = {"c": {"s": entry}}
    assert history.series("c", "s", "members").stale == [code == 3 for code in codes]


def _plain_series_table(caption, items, *, percent=False, daily=None):
    """The table as it was built row by row, cell by cell."""
    dates = items[0][1].dates
    since_maps = [
        charts._since_by_day(s) or (lambda day: None)  # None: no stale day, no "since"
        for _label, s in (daily if daily is not None else items)
    ]
    if len(dates) > charts.TABLE_ROWS_LIMIT:
        items = [(label, charts.monthly(series)) for label, series in items]
        dates = items[0][1].dates
        caption = f"{caption} (newest value of each month)"
    sinces = [[since_maps[k](day) for day in dates] for k in range(len(items))]
    rows = [
        [day]
        + [
            charts._value_text(s.values[i], sinces[k][i], percent)
            for k, (_label, s) in enumerate(items)
        ]
        for i, day in enumerate(dates)
        if any(s.values[i] is not None for _label, s in items)
    ]
    if len(rows) < len(dates) and not caption.endswith("month)"):
        caption = f"{caption}; days without any value left out"
    return charts.Table(caption, ["Date", *[label for label, _s in items]], rows)


@st.composite
def _table_items(draw):
    size = draw(st.sampled_from([1, 5, 59, 60, 61, 95]))
    start = date(2025, 12, 20)
    dates = [(start + timedelta(days=i)).isoformat() for i in range(size)]
    value = st.none() | st.integers(0, 2**54) | st.floats(0, 1e6, allow_nan=False)

    def series():
        values = draw(st.lists(value, min_size=size, max_size=size))
        stale = draw(st.lists(st.booleans(), min_size=size, max_size=size))
        if draw(st.booleans()):
            stale = [False] * size
        return Series(dates, values, stale)

    items = [(f"s{k}", series()) for k in range(draw(st.integers(1, 3)))]
    daily = [(label, series()) for label, _s in items] if draw(st.booleans()) else None
    return items, daily, draw(st.booleans())


@given(_table_items())
def test_a_table_built_column_by_column_is_the_row_by_row_table(case) -> None:
    items, daily, percent = case
    expected = _plain_series_table("T", items, percent=percent, daily=daily)
    assert charts._series_table("T", items, percent=percent, daily=daily) == expected


_RATIO_TERMS = st.lists(
    st.none() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=True) | st.booleans(),
    max_size=20,
)


@given(_RATIO_TERMS, _RATIO_TERMS, st.data())
def test_a_ratio_series_of_whole_counts_is_the_ratio_of_each_day(tops, bottoms, data) -> None:
    from community_metrics.analyse import metrics

    size = min(len(tops), len(bottoms))
    tops, bottoms = tops[:size], bottoms[:size]
    if data.draw(st.booleans()):  # the common case: whole counts or gaps only
        tops = [v if v is None or type(v) is int else None for v in tops]
        bottoms = [v if v is None or type(v) is int else None for v in bottoms]
    days = [f"d{i}" for i in range(size)]
    flags = st.lists(st.booleans(), min_size=size, max_size=size)
    top_stale, bottom_stale = data.draw(flags), data.draw(flags)
    found = metrics.ratio_series(Series(days, tops, top_stale), Series(days, bottoms, bottom_stale))
    expected = [metrics.ratio(a, b) for a, b in zip(tops, bottoms, strict=True)]
    assert found.values == expected
    assert [type(v) for v in found.values] == [type(v) for v in expected]
    assert found.stale == [
        bool((a or b) and v is not None)
        for a, b, v in zip(top_stale, bottom_stale, expected, strict=True)
    ]


@st.composite
def _sources(draw):
    """A history of a few sources over up to 40 days across a new year: any status per day,
    values or gaps per metric, now and then a back-filled column."""
    size = draw(st.integers(1, 40))
    start = date(2025, 12, 10)
    history = History([(start + timedelta(days=i)).isoformat() for i in range(size)])
    history._sources = {}
    for n in range(draw(st.integers(1, 3))):
        codes = draw(st.lists(st.integers(0, 4), min_size=size, max_size=size))
        entry = SourceHistory(f"c{n % 2}", f"github:s{n}", "github", bytearray(codes), {})
        for metric in draw(st.sets(st.sampled_from(["members", "posts", "active_30d"]))):
            values = draw(st.lists(st.none() | st.integers(0, 10**6), min_size=size, max_size=size))
            entry.values[metric] = array("d", [float("nan") if v is None else v for v in values])
        if draw(st.integers(0, 4)) == 0:
            values = draw(st.lists(st.none() | st.integers(0, 99), min_size=size, max_size=size))
            entry.backfill["members"] = array(
                "d", [float("nan") if v is None else v for v in values]
            )
        history._sources.setdefault(entry.community, {})[entry.source] = entry
    return history


@given(_sources(), st.sampled_from(["2025", "2026"]))
def test_a_year_of_observations_is_the_whole_csv_cut_to_that_year(history, year) -> None:
    from community_metrics.render import downloads

    whole = "".join(downloads.iter_observations_csv(history)).splitlines()
    cut = "".join(downloads.iter_year_csv(history, year)).splitlines()
    assert cut[0] == whole[0]
    assert sorted(cut[1:]) == sorted(line for line in whole[1:] if line.startswith(year))
