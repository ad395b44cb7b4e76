"""Page models of the reader features: the paginated communities table, /compare/, badges,
and the /data/ page's file list and citation. Pure, except ``data_files``, which reads the
sizes of the files already written into the output folder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from community_metrics.analyse import metrics as m
from community_metrics.render import compare
from community_metrics.render.badges import badge_svg, badge_width

if TYPE_CHECKING:
    from community_metrics.render.dashboard import CommunityView
    from community_metrics.render.pages import Pulse

#: Communities listed as tick boxes on /compare/ (the largest); the search finds the others
#: in /compare/communities.json, so the page stays light with 10,000 communities.
COMPARE_CHOICES = 200

#: Rows of the communities table per page (the first page is /dashboard/ itself).
ROWS_PER_PAGE = 50

#: The licence of the published data, shown on /data/ (why: see ``LICENCE_REASON``).
LICENCE_NAME = "CC0 1.0 Universal (public domain dedication)"
LICENCE_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
LICENCE_REASON = (
    "The figures are counts that platforms publish through their public APIs: facts, which "
    "carry no copyright of their own. What we add is the compilation (the dated series and "
    "their layout); CC0 waives any right in it, including the EU database right, so anyone "
    "may copy, merge and republish the data without asking. A citation is asked for, not "
    "required."
)


@dataclass
class TablePage:
    number: int
    count: int
    total: int
    first: int  # 1-based position of the first row
    last: int
    rows: list[CommunityView]
    chunk: str = ""  # "dashboard/rows/<n>.json" for pages after the first
    chunks: list[str] = field(default_factory=list)  # on page 1: every other page's chunk


def leaders_first(views: list[CommunityView]) -> list[CommunityView]:
    """Largest combined audience first; communities without a member count last, by name."""
    return sorted(
        views,
        key=lambda v: (v.rollup.members is None, -(v.rollup.members or 0), v.name.lower()),
    )


def table_pages(views: list[CommunityView], per_page: int = ROWS_PER_PAGE) -> list[TablePage]:
    per_page = max(1, int(per_page))
    ordered = leaders_first(views)
    count = max(1, -(-len(ordered) // per_page))
    pages = []
    for index in range(count):
        rows = ordered[index * per_page : (index + 1) * per_page]
        pages.append(
            TablePage(
                number=index + 1,
                count=count,
                total=len(ordered),
                first=index * per_page + 1 if rows else 0,
                last=index * per_page + len(rows),
                rows=rows,
                chunk=f"dashboard/rows/{index + 1}.json" if index else "",
            )
        )
    pages[0].chunks = [page.chunk for page in pages[1:]]
    return pages


def rows_json(rows_html: list[str]) -> str:
    """The rows of one table page as HTML strings (already escaped by the row macro)."""
    text = json.dumps({"rows": rows_html}, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/")


def compare_context(pulse: Pulse) -> dict[str, Any]:
    """What pulse/compare.html shows, plus each community's peer query (community pages)."""
    views = pulse.communities
    history = pulse.history
    reported = {metric for v in views for metric in history.metrics(v.slug)}
    metrics = [(mt, m.metric_label(mt)) for mt in compare.COMPARE_METRICS if mt in reported]
    default = compare.default_selection(views)
    table = compare.static_comparison(history, views, default) if views else None
    peers = {
        slug: compare.compare_query([slug, *found])
        for slug, found in compare.all_closest_peers(views).items()
        if found
    }
    listed = leaders_first(views)[:COMPARE_CHOICES]
    listed += [v for v in views if v.slug in default and v not in listed]
    return {
        "choices": sorted(listed, key=lambda v: v.name.lower()),
        "complete": len(listed) == len(views),
        "total": len(views),
        "metrics": metrics or [("members", "Members")],
        "metric": "members",
        "default": default,
        "default_query": compare.compare_query(default),
        "title": "Members of the largest communities, by date",
        "table": table or compare.StaticComparison([], [], "members", []),
        "first_date": history.dates[0] if history.dates else "",
        "last_date": history.dates[-1] if history.dates else "",
        "peers": peers,
    }


def compare_index_json(views: list[CommunityView]) -> str:
    """``/compare/communities.json``: every community as [slug, name], by name (for the search)."""
    pairs = [[v.slug, v.name] for v in sorted(views, key=lambda v: v.name.lower())]
    return json.dumps(pairs, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _badge_parts(view: CommunityView) -> dict[str, tuple[str, str, str, bool]]:
    """(label, value, accessible title, missing) of each badge of one community."""
    members = view.rollup.members
    engagement = view.rollup.engagement
    members_text = m.format_number(members) if members is not None else "no data"
    engagement_text = m.format_percent(engagement, 1) if engagement is not None else "no data"
    return {
        "members": (
            "members",
            members_text,
            f"{view.name} members: {members_text}",
            members is None,
        ),
        "engagement": (
            "engagement",
            engagement_text,
            f"{view.name} engagement (active in 30 days / members): {engagement_text}",
            engagement is None,
        ),
    }


def badges(view: CommunityView) -> dict[str, str]:
    """``{"members": svg, "engagement": svg}`` of one community."""
    return {
        metric: badge_svg(label, value, title, missing=missing)
        for metric, (label, value, title, missing) in _badge_parts(view).items()
    }


def badge_widths(view: CommunityView) -> dict[str, int]:
    """Each badge's width in px (the page sizes its <img> so nothing shifts as it loads)."""
    return {
        metric: badge_width(label, value)
        for metric, (label, value, _title, _missing) in _badge_parts(view).items()
    }


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1000**2:
        return f"{size / 1000:.1f} KB"
    if size < 1000**3:
        return f"{size / 1000**2:.1f} MB"
    return f"{size / 1000**3:.2f} GB"


def data_files(output: Path, pulse: Pulse) -> dict[str, str]:
    """Site path -> human size of every file under /data/ (written before the page)."""
    folder = output / "data"
    sizes = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "index.html":
            sizes[path.relative_to(output).as_posix()] = human_size(path.stat().st_size)
    return sizes


def citation(pulse: Pulse, settings: dict[str, Any]) -> str:
    site = settings.get("SITENAME", "Community Pulse")
    url = (settings.get("SITEURL") or "").rstrip("/")
    when = pulse.as_of or "no snapshot yet"
    year = when[:4] if pulse.as_of else ""
    where = f" {url}/data/" if url else ""
    return f"{site}{f' ({year})' if year else ''}. Community statistics, snapshot of {when}.{where}"
