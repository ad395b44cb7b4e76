"""Small inline SVG sparklines: static markup, no script, with accessible text.

A gap in the series stays a gap (the path is broken there); a series without two values
draws nothing and says so in its text.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from community_metrics.analyse import metrics as m
from community_metrics.store.history import Series

WIDTH = 80
HEIGHT = 20
#: Days a sparkline covers (the newest ones)...
SPARK_DAYS = 90
#: ...drawn as at most this many points (every k-th day and the newest): a row of a 1,000-row
#: table must stay light.
SPARK_POINTS = 30


def sparkline_svg(series: Series, label: str, days: int = SPARK_DAYS) -> Markup:
    """``<svg role="img">`` of the last ``days`` values, its <title> saying first and last."""
    dates = series.dates[-days:]
    values = series.values[-days:]
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return Markup('<span class="pulse-spark-none">{}</span>').format(
            f"{label}: not enough history for a trend"
        )
    low = min(v for _, v in known)
    high = max(v for _, v in known)
    span = (high - low) or 1.0
    # Buckets of ``stride`` days ending on the newest day; each is drawn at its newest value
    # (an empty bucket is a gap). A point standing alone between gaps is drawn as a dot.
    stride = max(1, -(-len(values) // SPARK_POINTS))
    points: list[tuple[int, float] | None] = []
    for end in range(len(values), 0, -stride):
        bucket = [(i, values[i]) for i in range(max(0, end - stride), end)]
        found = [(i, v) for i, v in bucket if v is not None]
        points.append(found[-1] if found else None)
    points.reverse()
    step = WIDTH / max(1, len(values) - 1)
    runs: list[list[str]] = []
    previous = None
    for point in points:
        if point is None:
            previous = None
            continue
        index, value = point
        x = round(index * step)
        y = round(HEIGHT - 2 - (value - low) / span * (HEIGHT - 4))
        if previous is None:
            runs.append([f"M{x} {y}"])
        else:
            runs[-1].append(f"L{x} {y}")
        previous = point
    parts = [" ".join(run) + (" l0 0" if len(run) == 1 else "") for run in runs]
    (first_i, first), (last_i, last) = known[0], known[-1]
    text = (
        f"{label}, last {len(values)} days: {m.format_number(first)} on {dates[first_i]}, "
        f"{m.format_number(last)} on {dates[last_i]}"
    )
    return Markup(
        '<svg class="pulse-spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="{text}"><title>{text}</title>'
        '<path d="{d}" fill="none" stroke="currentColor" stroke-width="1.5" '
        'stroke-linecap="round"/></svg>'
    ).format(w=WIDTH, h=HEIGHT, text=escape(text), d=" ".join(parts))
