"""A fictional registry and a deterministic synthetic history, for a first offline run.

``generate_demo(out, communities=N, days=D, seed=S)`` writes ``out/communities.yml`` (fictional
names, hosts under example.org/.net/.com) and ``out/snapshots/YYYY/YYYY-MM-DD.json`` through
``snapshots.write_json_atomic`` and ``model.Snapshot``; every file says ``synthetic: true``.

Same arguments -> same bytes: all randomness comes from ``random.Random`` seeded with the seed
and the community's index, and the last day is fixed (``END_DATE``), not today. Shapes: each
source grows along a logistic, linear or plateauing curve from its own creation date; activity
has a weekly rhythm (quieter weekends) and slowly declining engagement; some days are missing
for a source (gaps), some runs fail and carry the last good values (``stale``), a few are
``partial``, and a few whole days have no file at all.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import random
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pelican.utils import slugify

from community_metrics.contract.model import SLUGIFY_SUBSTITUTIONS, Observation, Snapshot
from community_metrics.registry.config import source_label
from community_metrics.store.history import can_fork
from community_metrics.store.snapshots import snapshot_dir, snapshot_path, write_json_atomic

END_DATE = date(2026, 11, 21)

#: Above this many community-days files are written without indentation: json.dumps with an
#: indent runs the pure-Python encoder, ~4x slower; the JSON is the same data.
COMPACT_ABOVE = 200_000

_ADJECTIVES = (
    "Quiet",
    "Amber",
    "Northern",
    "Lantern",
    "Copper",
    "Willow",
    "Harbor",
    "Cedar",
    "Silver",
    "Meadow",
    "Granite",
    "Saffron",
    "Coral",
    "Juniper",
    "Velvet",
    "Cobalt",
    "Hazel",
    "Tidal",
    "Orchard",
    "Prairie",
    "Ember",
    "Marble",
    "Thistle",
    "Indigo",
)
_NOUNS = (
    "Gardeners",
    "Makers",
    "Coders",
    "Knitters",
    "Astronomers",
    "Brewers",
    "Cyclists",
    "Potters",
    "Linguists",
    "Typesetters",
    "Beekeepers",
    "Synth Builders",
    "Mapmakers",
    "Bookbinders",
    "Birders",
    "Chess Players",
    "Woodturners",
    "Photographers",
    "Sailors",
    "Tinkerers",
    "Archivists",
    "Hikers",
    "Bakers",
    "Luthiers",
    "Modellers",
)
_GROUPS = ("Circle", "Guild", "Collective", "Club", "Society", "Forum", "Commons", "League")
_TAGS = ("hobby", "software", "craft", "science", "outdoors", "arts", "learning", "local")

#: platform -> (weight, metrics it reports)
_PLATFORMS: dict[str, tuple[int, tuple[str, ...]]] = {
    "discourse": (
        5,
        (
            "members",
            "active_1d",
            "active_7d",
            "active_30d",
            "posts",
            "topics",
            "posts_7d",
            "posts_30d",
        ),
    ),
    "github": (4, ("members", "contributors")),
    "mastodon": (3, ("members", "active_30d", "posts")),
    "reddit": (3, ("members", "online")),
    "discord": (3, ("members", "online")),
    "bluesky": (2, ("members", "posts")),
    "lemmy": (2, ("members", "active_1d", "active_7d", "active_30d", "posts")),
    "matrix": (2, ("members",)),
    "nodeinfo": (2, ("members", "active_30d", "posts")),
    "peertube": (1, ("members", "active_1d", "active_7d", "active_30d", "posts")),
    "forgejo": (2, ("members",)),
    "mediawiki": (1, ("members", "active_30d", "posts", "topics")),
    "huggingface": (1, ("members", "contributors")),
    "opencollective": (1, ("members", "contributors")),
    "gitlab": (2, ("members",)),
    "steam": (1, ("members", "online")),
    "youtube": (2, ("members", "posts")),
    "telegram": (1, ("members",)),
    "slack": (1, ("members",)),
    "zulip": (1, ("members",)),
}


class DemoError(Exception):
    """The demo cannot be written where asked (message says why and what to do)."""


@dataclass(frozen=True)
class DemoSource:
    platform: str
    key: str
    ident: str
    endpoint: str
    start: int  # day index (relative to the first day of the history) the source began
    created_at: str
    params: tuple[float, ...]
    shape: str

    @property
    def label(self) -> str:
        return source_label(self.platform, self.ident)


@dataclass(frozen=True)
class DemoCommunity:
    slug: str
    name: str
    description: str
    tags: tuple[str, ...]
    founded: str
    sources: tuple[DemoSource, ...]


@dataclass(frozen=True)
class DemoSummary:
    out: Path
    communities: int
    days: int
    files: int
    observations: int
    first: str
    last: str


# --- the fictional registry ---------------------------------------------------------------------


def _name(index: int) -> tuple[str, str]:
    """A unique fictional name (and its noun) for every index: the (adjective, noun) pairs are
    all distinct within each block of 600, the group word differs between blocks."""
    block, rest = divmod(index, len(_ADJECTIVES) * len(_NOUNS))
    a = rest % len(_ADJECTIVES)
    noun = _NOUNS[(19 * (rest // len(_ADJECTIVES)) + 7 * a) % len(_NOUNS)]
    group = _GROUPS[(block + rest) % len(_GROUPS)]
    cycle = block // len(_GROUPS)
    return f"{_ADJECTIVES[a]} {noun} {group}" + (f" {cycle + 1}" if cycle else ""), noun


def _identifier(platform: str, slug: str, index: int) -> tuple[str, str, str]:
    """(key, identifier, endpoint) under clearly fictional hosts."""
    short = slug[:40]
    if platform == "discourse":
        host = f"forum.{short}.example.org"
        return "host", host, f"https://{host}/about.json"
    if platform == "github":
        repo = f"example-{index}/{short}"
        return "repo", repo, f"https://api.github.example.com/repos/{repo}"
    if platform == "mastodon":
        host = f"social.{short}.example.net"
        return "instance", host, f"https://{host}/api/v1/instance"
    if platform == "reddit":
        name = f"Example{index}"
        return "subreddit", name, f"https://reddit.example.com/r/{name}/about.json"
    if platform == "discord":
        code = f"example-{index}"
        return "invite", code, f"https://discord.example.com/api/v10/invites/{code}"
    if platform == "bluesky":
        handle = f"{short}.example.com"
        return "handle", handle, f"https://bsky.example.com/profile/{handle}"
    if platform == "lemmy":
        ident = f"{short.replace('-', '_')[:20]}@lemmy.example.org"
        return "community", ident, "https://lemmy.example.org/api/v3/community"
    if platform == "nodeinfo":
        host = f"fedi.{short}.example.net"
        return "host", host, f"https://{host}/nodeinfo/2.0"
    if platform == "peertube":
        host = f"video.{short}.example.org"
        return "instance", host, f"https://{host}/api/v1/server/stats"
    if platform == "forgejo":
        repo = f"example-{index}/{short}"
        return "repo", repo, f"https://forge.example.org/api/v1/repos/{repo}"
    if platform == "mediawiki":
        host = f"wiki.{short}.example.org"
        return "site", host, f"https://{host}/w/api.php"
    if platform == "huggingface":
        org = f"example-{index}"
        return "org", org, f"https://hub.example.com/api/organizations/{org}/overview"
    if platform == "opencollective":
        slug = f"example-{index}-{short}"[:60]
        return "collective", slug, f"https://collective.example.com/{slug}.json"
    if platform == "gitlab":
        project = f"example-{index}/{short}"
        return "project", project, f"https://gitlab.example.com/api/v4/projects/{project}"
    if platform == "steam":
        group = f"Example{index}"
        return "group", group, f"https://steam.example.com/groups/{group}/memberslistxml/"
    if platform == "youtube":
        handle = f"@example{index}"
        return "handle", handle, "https://youtube.example.com/youtube/v3/channels"
    if platform == "telegram":
        chat = f"@example_{index}"
        return (
            "chat",
            chat,
            "https://telegram.example.com/bot{TELEGRAM_BOT_TOKEN}/getChatMemberCount",
        )
    if platform == "slack":
        channel = f"C{index:08d}"
        return "channel", channel, "https://slack.example.com/api/conversations.info"
    if platform == "zulip":
        realm = f"chat.{short}.example.org"
        return "realm", realm, f"https://{realm}/api/v1/users"
    alias = f"#{short}:matrix.example.org"
    return "room", alias, "https://matrix.example.org/_matrix/client/v3/publicRooms"


def _pick_platforms(rng: random.Random, index: int = 0) -> list[str]:
    """1 to 4 platforms; the first one rotates through every platform by community index, so
    that a demo of as many communities as platforms shows each of them at least once."""
    count = rng.choices((1, 2, 3, 4), weights=(3, 4, 2, 1))[0]
    names = list(_PLATFORMS)
    weights = [_PLATFORMS[n][0] for n in names]
    chosen: list[str] = [names[index % len(names)]]
    while len(chosen) < count:
        name = rng.choices(names, weights=weights)[0]
        if name not in chosen:
            chosen.append(name)
    return chosen


def plan_community(index: int, days: int, seed: int, end: date = END_DATE) -> DemoCommunity:
    """Everything random about community ``index``, drawn from its own seeded generator."""
    rng = random.Random(f"community-pulse-demo:{seed}:{index}")
    name, noun = _name(index)
    slug = slugify(name, regex_subs=SLUGIFY_SUBSTITUTIONS)
    first_day = end - timedelta(days=days - 1)
    # ages from three months to fifteen years, log-uniform
    age = int(math.exp(rng.uniform(math.log(90), math.log(15 * 365))))
    founded = end - timedelta(days=age)
    sources = []
    for platform in _pick_platforms(rng, index):
        created = founded + timedelta(days=int(rng.uniform(0, 0.5) * age))
        key, ident, endpoint = _identifier(platform, slug, index)
        capacity = math.exp(rng.uniform(math.log(40), math.log(300_000)))
        shape = rng.choices(("logistic", "linear", "plateau"), weights=(5, 3, 2))[0]
        params = (
            capacity,
            rng.uniform(0.3, 1.6),  # midpoint, as a share of the source's life so far
            rng.uniform(3.0, 9.0),  # steepness of the logistic over its life
            rng.uniform(0.04, 0.35),  # engagement at the start
            rng.uniform(0.3, 1.8),  # posts per active person per day
            rng.uniform(0.0, 0.15),  # decline after a plateau
        )
        sources.append(
            DemoSource(
                platform=platform,
                key=key,
                ident=ident,
                endpoint=endpoint,
                start=(created - first_day).days,
                created_at=f"{created.isoformat()}T00:00:00Z",
                params=params,
                shape=shape,
            )
        )
    return DemoCommunity(
        slug=slug,
        name=name,
        description=f"A fictional community of {noun.lower()} (synthetic demo data).",
        tags=tuple(sorted({rng.choice(_TAGS), rng.choice(_TAGS)})),
        founded=founded.isoformat(),
        sources=tuple(sources),
    )


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def registry_yaml(communities: list[DemoCommunity]) -> str:
    lines = [
        "# Fictional communities for the Community Pulse demo. Every number in the snapshots",
        '# next to this file is synthetic (each file says "synthetic": true).',
        "communities:",
    ]
    for community in communities:
        lines += [
            f"  - slug: {community.slug}",
            f"    name: {_yaml_text(community.name)}",
            f"    description: {_yaml_text(community.description)}",
            f"    tags: [{', '.join(community.tags)}]",
            f"    founded: {community.founded}",
            "    sources:",
        ]
        for source in community.sources:
            lines += [
                f"      - platform: {source.platform}",
                f"        {source.key}: {_yaml_text(source.ident)}",
            ]
            if source.platform == "zulip":  # Zulip's key belongs to a bot, named by its e-mail
                lines.append(f"        bot_email: {_yaml_text('pulse-bot@' + source.ident)}")
    return "\n".join(lines) + "\n"


# --- the synthetic series ------------------------------------------------------------------------


def _members_curve(source: DemoSource, first: int, days: int) -> list[float]:
    """Members on days ``first`` .. ``days - 1`` (day 0 is the first day of the history)."""
    capacity, midpoint, steepness, *_rest, decline = source.params
    life = max(days - source.start, 30)
    values = []
    for day in range(first, days):
        t = day - source.start
        if t < 0:
            values.append(math.nan)
            continue
        x = t / life
        if source.shape == "linear":
            value = capacity * (0.02 + 0.98 * x)
        else:
            value = capacity / (1 + math.exp(-steepness * (x - midpoint * 0.6)))
            if source.shape == "plateau" and x > 0.7:
                value *= 1 - decline * (x - 0.7) / 0.3
        values.append(max(value, 1.0))
    return values


def _window_sums(daily: list[float], width: int) -> list[float]:
    sums, running = [], 0.0
    for index, value in enumerate(daily):
        running += value
        if index >= width:
            running -= daily[index - width]
        sums.append(running)
    return sums


def source_series(source: DemoSource, first_day: date, days: int, seed: int) -> dict[str, list]:
    """Every metric the source's platform reports, as whole numbers per day (None before the
    source began)."""
    rng = random.Random(f"community-pulse-demo:{seed}:{source.label}")
    begin = max(source.start, 0)
    # a month of warm-up before the window, so 7/30-day sums start full, not from zero
    warm = max(source.start, -30)
    span = range(warm, days)
    members = _members_curve(source, warm, days)
    _capacity, _mid, _steep, engagement0, posts_rate, _decline = source.params
    wanted = _PLATFORMS[source.platform][1]
    jitter = [rng.random() for _ in span]
    first_weekday = first_day.weekday()
    rhythm = [
        (0.68 if (first_weekday + day) % 7 >= 5 else 1.0) * (0.9 + 0.2 * j)
        for day, j in zip(span, jitter, strict=True)
    ]
    columns: dict[str, list[float]] = {}
    columns["members"] = [m * (0.998 + 0.004 * j) for m, j in zip(members, jitter, strict=True)]
    if "online" in wanted:
        columns["online"] = [m * 0.04 * r for m, r in zip(members, rhythm, strict=True)]
    if "contributors" in wanted:
        step = 0.02 * rng.random()
        total, contributors = 1.0 + rng.random() * 5, []
        for m, j in zip(members, jitter, strict=True):
            total += step * j * math.log10(m + 10)
            contributors.append(total)
        columns["contributors"] = contributors
    if set(wanted) & {"active_1d", "active_7d", "active_30d", "posts", "topics", "posts_7d"}:
        active_30d = [
            m * engagement0 * (1 - 0.4 * min(1.0, (day - source.start) / 3650)) * (0.985 + 0.03 * j)
            for m, day, j in zip(members, span, jitter, strict=True)
        ]
        active_7d = [a * 0.48 for a in active_30d]
        active_1d = [a * 0.3 * r for a, r in zip(active_7d, rhythm, strict=True)]
        daily_posts = [a * posts_rate * r for a, r in zip(active_1d, rhythm, strict=True)]
        posts = list(itertools.accumulate(daily_posts))
        posts = [p + m * 3 for p, m in zip(posts, members, strict=True)]
        columns.update(
            active_30d=active_30d,
            active_7d=active_7d,
            active_1d=active_1d,
            posts=posts,
            topics=[p / 7 for p in posts],
        )
        if "posts_7d" in wanted:
            columns["posts_7d"] = _window_sums(daily_posts, 7)
            columns["posts_30d"] = _window_sums(daily_posts, 30)
    padding = [None] * begin
    skip = begin - warm
    return {metric: padding + [round(v) for v in columns[metric][skip:]] for metric in wanted}


def _missing_days(days: int, seed: int) -> set[int]:
    """Whole days without a file (never the first or last day)."""
    rng = random.Random(f"community-pulse-demo:{seed}:missing-days")
    return {day for day in range(1, days - 1) if rng.random() < 0.006}


def _source_days(source: DemoSource, days: int, seed: int) -> list[str]:
    """Per day, what happened to the source: ok, gap (absent), stale, partial."""
    rng = random.Random(f"community-pulse-demo:{seed}:events:{source.label}")
    events = ["ok"] * days
    day = max(source.start, 0) + 1
    while day < days:
        draw = rng.random()
        if draw < 0.004:
            events[day] = "gap"
        elif draw < 0.010:
            for offset in range(rng.randint(1, 4)):
                if day + offset < days:
                    events[day + offset] = "stale"
            day += 4
        elif draw < 0.013 and source.platform in ("discourse", "mastodon", "lemmy"):
            events[day] = "partial"
        day += 1
    return events


# --- writing ---------------------------------------------------------------------------------


def _observation_time(index: int, community: int) -> str:
    """The time of day a source is observed (stable per source, so diffs stay small)."""
    minute, second = (community * 7 + index) % 50 + 5, (community * 13) % 60
    return f"T03:{minute:02d}:{second:02d}Z"


def _plan_all(communities: int, days: int, seed: int) -> list[DemoCommunity]:
    return [plan_community(i, days, seed) for i in range(communities)]


@dataclass
class _State:
    """Everything the file writers need, computed once (shared with forked workers)."""

    days: int
    first_day: date
    plans: list[DemoCommunity]
    series: dict[tuple[str, str], tuple[dict[str, list], list[str]]]
    missing: set[int]


_STATE: _State | None = None  # set by generate_demo just before forking writers


def _plan_series(
    plans: list[DemoCommunity], first_day: date, days: int, seed: int
) -> dict[tuple[str, str], tuple[dict[str, list], list[str]]]:
    return {
        (c.slug, s.label): (source_series(s, first_day, days, seed), _source_days(s, days, seed))
        for c in plans
        for s in c.sources
    }


def _compute_state(communities: int, days: int, seed: int) -> _State:
    first_day = END_DATE - timedelta(days=days - 1)
    plans = _plan_all(communities, days, seed)
    return _State(
        days,
        first_day,
        plans,
        _plan_series(plans, first_day, days, seed),
        _missing_days(days, seed),
    )


def _write_days(out: Path, day_range: range, indent: int | None) -> tuple[int, int]:
    """Write the files of ``day_range`` (one worker's share); returns (files, observations)."""
    state = _STATE
    assert state is not None, "generate_demo sets the state before writing"
    day_texts = [(state.first_day + timedelta(days=d)).isoformat() for d in range(state.days)]
    sources = [
        (
            _observation_time(si, ci),
            community.slug,
            source,
            source.label,
            *state.series[(community.slug, source.label)],
        )
        for ci, community in enumerate(state.plans)
        for si, source in enumerate(community.sources)
    ]
    files = observations_written = 0
    for day in day_range:
        if day in state.missing:
            continue
        today = day_texts[day]
        observations = []
        for time_of_day, slug, source, label, values, events in sources:
            if day < source.start or events[day] == "gap":
                continue
            event = events[day]
            good_day = day
            if event == "stale":
                while events[good_day] == "stale" and good_day > source.start:
                    good_day -= 1
                if good_day < max(source.start, 0) or events[good_day] != "ok":
                    continue  # nothing good to carry yet
            metrics = {metric: column[good_day] for metric, column in values.items()}
            error = None
            status = "ok"
            if event == "stale":
                status = "stale"
                error = f"HTTP 503 from {source.endpoint} (synthetic outage)"
            elif event == "partial":
                status = "partial"
                for metric in ("posts_7d", "posts_30d", "active_30d"):
                    metrics.pop(metric, None)
                error = "the second request timed out (synthetic)"
            observations.append(
                Observation(
                    community=slug,
                    platform=source.platform,
                    source=label,
                    status=status,
                    metrics=metrics,
                    created_at=source.created_at,
                    observed_at=day_texts[good_day] + time_of_day,
                    endpoint=source.endpoint,
                    error=error,
                )
            )
        snapshot = Snapshot(
            date=today,
            generated_at=f"{today}T03:59:00Z",
            observations=observations,
            synthetic=True,
        )
        write_json_atomic(snapshot_path(out, today), snapshot.to_dict(), indent=indent)
        files += 1
        observations_written += len(observations)
    return files, observations_written


def _check_replaceable(out: Path) -> list[Path]:
    """Existing snapshot files under ``out``; refuse if any is not synthetic (real data)."""
    root = snapshot_dir(out)
    found = sorted(root.glob("*/*.json")) if root.is_dir() else []
    for path in found:
        head = path.read_bytes()[:400].replace(b" ", b"")
        if b'"synthetic":true' not in head:
            raise DemoError(
                f"{path} is not synthetic: refusing to write demo data into {out}, which holds "
                "real snapshots. Choose another --out folder."
            )
    return found


def generate_demo(
    out: Path,
    communities: int = 20,
    days: int = 400,
    seed: int = 1,
    *,
    workers: int | None = None,
    compact: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Write the fictional registry and synthetic history into ``out`` (see module docstring).

    Earlier synthetic snapshots in ``out`` are replaced; real (non-synthetic) ones make it
    refuse with ``DemoError``."""
    if communities < 1 or days < 2:
        raise DemoError("--communities must be at least 1 and --days at least 2")
    out = Path(out)
    for path in _check_replaceable(out):
        path.unlink()
    plans = _plan_all(communities, days, seed)
    out.mkdir(parents=True, exist_ok=True)
    registry = out / "communities.yml"
    tmp = registry.with_name(f".{registry.name}.tmp")
    tmp.write_text(registry_yaml(plans), encoding="utf-8")
    os.replace(tmp, registry)
    if compact is None:
        compact = communities * days > COMPACT_ABOVE
    indent = None if compact else 2
    if workers is None:
        big = communities * days > 20_000
        workers = min(2, os.cpu_count() or 1) if big and can_fork() else 1
    global _STATE
    _STATE = _compute_state(communities, days, seed)
    try:
        if workers == 1:
            files, observations = _write_days(out, range(days), indent)
        else:
            # fork: the workers inherit the computed series instead of recomputing them
            context = multiprocessing.get_context("fork")
            chunks = [range(k, days, workers) for k in range(workers)]
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                results = list(pool.map(_write_days, [out] * workers, chunks, [indent] * workers))
            files = sum(r[0] for r in results)
            observations = sum(r[1] for r in results)
    finally:
        _STATE = None
    first_day = END_DATE - timedelta(days=days - 1)
    summary = DemoSummary(
        out, communities, days, files, observations, first_day.isoformat(), END_DATE.isoformat()
    )
    if progress:
        progress(
            f"community_metrics: demo: {communities} fictional communities, {files} daily files "
            f"({observations} observations, {summary.first} to {summary.last}) in {out}"
        )
    return summary
