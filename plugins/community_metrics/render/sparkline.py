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
    stride = max(1, -(-len(values) // SPARK_POINTS))
    picked = list(range(len(values) - 1, -1, -stride))[::-1]  # always the newest day...
    if picked[0] != 0:
        picked.insert(0, 0)  # ...and the oldest
    step = WIDTH / max(1, len(values) - 1)
    parts: list[str] = []
    pen_up = True
    for index in picked:
        value = values[index]
        if value is None:
            pen_up = True
            continue
        x = round(index * step)
        y = round(HEIGHT - 2 - (value - low) / span * (HEIGHT - 4))
        parts.append(f"{'M' if pen_up else 'L'}{x} {y}")
        pen_up = False
    (first_i, first), (last_i, last) = known[0], known[-1]
    text = (
        f"{label}, last {len(values)} days: {m.format_number(first)} on {dates[first_i]}, "
        f"{m.format_number(last)} on {dates[last_i]}"
    )
    return Markup(
        '<svg class="pulse-spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="{text}"><title>{text}</title>'
        '<path d="{d}" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>'
    ).format(w=WIDTH, h=HEIGHT, text=escape(text), d=" ".join(parts))
