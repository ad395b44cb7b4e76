"""Published reference figures (``data/benchmarks/*.yml``) -> validated ``Study`` objects.

One file per study: ``study``, ``short``, ``year``, ``population``, optional ``publisher``,
``caveat``, ``notes`` and a list of ``figures``. A figure keeps what was published
(``value_text``) beside its number (``value``: a number, a list for a split such as 90/9/1, a
[low, high] pair with ``range: true``, or null), its ``source`` and ``source_type`` (primary,
secondary or derived), an optional ``qualifier`` ("nearly", "more than"…), ``derived`` flag,
``caveat``, ``population``/``year`` overriding the study's, a ``band`` (kind size|age and one
of the Tribalization bands) when it can sit beside our communities, and ``conflicts``: other
published values for the same figure, kept as such.

Every source is linked or says why not: a figure and each of its conflicts take an optional
``url`` (http/https only: where the source can be read) and an optional ``url_note`` (a short
sentence shown beside the source: what the link is when it is a copy, or why there is no link,
e.g. "no public copy found"). The page says "no public copy found" for a source that has
neither.

Problems are collected and raised together as ``BenchmarkError``, each naming the file, the
entry (number and id) and what to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from community_metrics.analyse.metrics import AGE_BANDS, SIZE_BANDS

#: The committed figures; callers with settings pass their own folder.
DEFAULT_FOLDER = Path(__file__).resolve().parents[3] / "data" / "benchmarks"

SOURCE_TYPES = ("primary", "secondary", "derived")
UNITS = ("percent",)
BANDS = {"size": SIZE_BANDS, "age": AGE_BANDS}

_STUDY_KEYS = {"study", "short", "year", "publisher", "population", "caveat", "notes", "figures"}
_FIGURE_KEYS = {
    "id",
    "figure",
    "value",
    "value_text",
    "unit",
    "qualifier",
    "parts",
    "range",
    "population",
    "year",
    "source",
    "source_type",
    "derived",
    "caveat",
    "band",
    "conflicts",
    "url",
    "url_note",
    "compare",
}
#: What a figure may be set beside (``compare:``): a figure the site computes itself.
COMPARABLE = ("participation",)
_CONFLICT_KEYS = {
    "value",
    "value_text",
    "qualifier",
    "year",
    "source",
    "source_type",
    "caveat",
    "url",
    "url_note",
}
#: What the page says beside a source that has no link and no ``url_note``.
NO_LINK = "no public copy found"


class BenchmarkError(ValueError):
    """One or more mistakes in benchmark files; ``problems`` are 'file: entry: sentence'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Conflict:
    value: float | tuple[float, ...] | None
    value_text: str
    source: str
    source_type: str
    qualifier: str | None = None
    year: int | None = None
    caveat: str | None = None
    url: str | None = None  # where the source can be read (http/https only)
    url_note: str | None = None  # what the link is, or why there is none


@dataclass(frozen=True)
class Figure:
    id: str
    figure: str
    value: float | tuple[float, ...] | None
    value_text: str
    source: str
    source_type: str
    population: str
    year: int | None
    study: str
    unit: str | None = None
    qualifier: str | None = None
    parts: tuple[str, ...] = ()
    is_range: bool = False
    derived: bool = False
    caveat: str | None = None
    band_kind: str | None = None
    band: str | None = None
    conflicts: tuple[Conflict, ...] = ()
    file: str = ""
    url: str | None = None  # where the source can be read (http/https only)
    compare: str | None = None  # one of COMPARABLE: the site's own figure to set beside it
    url_note: str | None = None  # what the link is, or why there is none


@dataclass(frozen=True)
class Study:
    id: str  # the file's stem
    title: str
    short: str
    year: int | None
    population: str
    figures: tuple[Figure, ...]
    publisher: str | None = None
    caveat: str | None = None
    notes: str | None = None
    file: str = ""


class _Checker:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[str] = []

    def add(self, where: str, sentence: str) -> None:
        self.problems.append(f"{self.path}: {where}: {sentence}")

    def text(self, data: dict, key: str, where: str, *, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(where, f"'{key}' is missing; give it as text")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(where, f"'{key}' must be non-empty text, not {value!r}")
            return None
        return value.strip()

    def year(self, data: dict, where: str) -> int | None:
        value = data.get("year")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
            self.add(where, f"'year' must be a year such as 2008, not {value!r}")
            return None
        return value

    def url(self, data: dict, where: str) -> str | None:
        """``url`` (optional): an http(s) address; anything else is a problem."""
        url = self.text(data, "url", where, required=False)
        if url is not None and not url.startswith(("https://", "http://")):
            self.add(where, f"'url' must start with https:// or http://, not {url!r}")
            return None
        return url

    def unknown(self, data: dict, known: set[str], where: str) -> None:
        for key in sorted(set(data) - known):
            self.add(where, f"unknown key '{key}' (known: {', '.join(sorted(known))})")

    def value(self, data: dict, where: str) -> float | tuple[float, ...] | None:
        if "value" not in data:
            self.add(where, "'value' is missing; write null when the figure is not a number")
            return None
        value = data["value"]
        if value is None:
            return None
        numbers = value if isinstance(value, list) else [value]
        if not numbers or any(
            isinstance(n, bool) or not isinstance(n, int | float) or n < 0 for n in numbers
        ):
            self.add(
                where,
                f"'value' must be a non-negative number, a list of them or null, not {value!r}",
            )
            return None
        return tuple(numbers) if isinstance(value, list) else value

    def source_type(self, data: dict, where: str) -> str:
        value = data.get("source_type")
        if value not in SOURCE_TYPES:
            self.add(
                where, f"'source_type' must be one of {', '.join(SOURCE_TYPES)}, not {value!r}"
            )
            return "secondary"
        return value


def _conflicts(check: _Checker, data: dict, where: str) -> tuple[Conflict, ...]:
    raw = data.get("conflicts") or []
    if not isinstance(raw, list):
        check.add(where, "'conflicts' must be a list of other published values")
        return ()
    found = []
    for index, item in enumerate(raw, start=1):
        here = f"{where}, conflict {index}"
        if not isinstance(item, dict):
            check.add(here, "must be a mapping with value, value_text, source, source_type")
            continue
        check.unknown(item, _CONFLICT_KEYS, here)
        value = check.value(item, here)
        text = check.text(item, "value_text", here)
        source = check.text(item, "source", here)
        found.append(
            Conflict(
                value=value,
                value_text=text or "",
                source=source or "",
                source_type=check.source_type(item, here),
                qualifier=check.text(item, "qualifier", here, required=False),
                year=check.year(item, here),
                caveat=check.text(item, "caveat", here, required=False),
                url=check.url(item, here),
                url_note=check.text(item, "url_note", here, required=False),
            )
        )
    return tuple(found)


def _figure(check: _Checker, data: Any, index: int, study: dict) -> Figure | None:
    where = f"figure {index}"
    if not isinstance(data, dict):
        check.add(where, "must be a mapping (id, figure, value, value_text, source, ...)")
        return None
    ident = data.get("id")
    where = f"figure {index} ({ident})" if isinstance(ident, str) else where
    check.unknown(data, _FIGURE_KEYS, where)
    ident = check.text(data, "id", where)
    figure = check.text(data, "figure", where)
    value = check.value(data, where)
    value_text = check.text(data, "value_text", where)
    source = check.text(data, "source", where)
    source_type = check.source_type(data, where)
    unit = data.get("unit")
    if unit is not None and unit not in UNITS:
        check.add(where, f"'unit' must be one of {', '.join(UNITS)}, not {unit!r}")
    derived = data.get("derived", False)
    if not isinstance(derived, bool):
        check.add(where, f"'derived' must be true or false, not {derived!r}")
        derived = False
    if source_type == "derived" and not derived:
        check.add(where, "a figure whose source_type is derived must say 'derived: true'")
    parts = data.get("parts") or []
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        check.add(where, "'parts' must be a list of labels")
        parts = []
    if parts and (not isinstance(value, tuple) or len(parts) != len(value)):
        check.add(where, "'parts' must name each number of 'value' (same length)")
    is_range = data.get("range", False) is True
    if is_range and (not isinstance(value, tuple) or len(value) != 2 or value[0] > value[1]):
        check.add(where, "'range: true' needs 'value: [low, high]'")
    band_kind = band = None
    if "band" in data:
        raw = data["band"]
        kind = raw.get("kind") if isinstance(raw, dict) else None
        name = raw.get("band") if isinstance(raw, dict) else None
        if kind not in BANDS or name not in BANDS[kind]:
            check.add(
                where,
                "'band' must be {kind: size|age, band: one of "
                f"{' / '.join(SIZE_BANDS)} or {' / '.join(AGE_BANDS)}}}, not {raw!r}",
            )
        elif not isinstance(value, int | float):
            check.add(where, "a figure placed in a band needs a single number as 'value'")
        else:
            band_kind, band = kind, name
    population = check.text(data, "population", where, required=False) or study.get("population")
    year = check.year(data, where)
    url = check.url(data, where)
    compare = data.get("compare")
    if compare is not None and compare not in COMPARABLE:
        check.add(where, f"'compare' must be one of {', '.join(COMPARABLE)}, not {compare!r}")
        compare = None
    if None in (ident, figure, value_text, source):
        return None
    return Figure(
        id=ident,
        figure=figure,
        value=value,
        value_text=value_text,
        source=source,
        source_type=source_type,
        population=(population or "").strip(),
        year=year if year is not None else study.get("year"),
        study=study.get("study") or "",
        unit=unit,
        qualifier=check.text(data, "qualifier", where, required=False),
        parts=tuple(parts),
        is_range=is_range,
        derived=derived,
        caveat=check.text(data, "caveat", where, required=False),
        band_kind=band_kind,
        band=band,
        conflicts=_conflicts(check, data, where),
        file=check.path,
        url=url,
        compare=compare,
        url_note=check.text(data, "url_note", where, required=False),
    )


def parse_study(text: str, path: str) -> tuple[Study | None, list[str]]:
    """Validate one benchmark file's text; returns the study (or None) and the problems."""
    check = _Checker(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "the file"
        check.add(where, f"malformed YAML: {getattr(exc, 'problem', None) or exc}")
        return None, check.problems
    if not isinstance(data, dict):
        check.add("the file", "must be a mapping with study, year, population and figures")
        return None, check.problems
    check.unknown(data, _STUDY_KEYS, "the study")
    title = check.text(data, "study", "the study")
    short = check.text(data, "short", "the study")
    population = check.text(data, "population", "the study")
    year = check.year(data, "the study")
    raw = data.get("figures")
    if not isinstance(raw, list) or not raw:
        check.add("the study", "'figures' must be a non-empty list")
        raw = []
    study_info = {"study": title, "year": year, "population": population}
    figures = [f for i, item in enumerate(raw, 1) if (f := _figure(check, item, i, study_info))]
    seen: set[str] = set()
    for figure in figures:
        if figure.id in seen:
            check.add(f"figure ({figure.id})", "duplicate id; each figure needs its own")
        seen.add(figure.id)
    if check.problems or title is None or short is None:
        return None, check.problems
    return (
        Study(
            id=Path(path).stem,
            title=title,
            short=short,
            year=year,
            population=population or "",
            figures=tuple(figures),
            publisher=check.text(data, "publisher", "the study", required=False),
            caveat=check.text(data, "caveat", "the study", required=False),
            notes=check.text(data, "notes", "the study", required=False),
            file=path,
        ),
        [],
    )


def load_benchmarks(folder: Path | None = None) -> list[Study]:
    """Every ``*.yml`` in ``folder`` (sorted by name; default ``data/benchmarks``);
    ``BenchmarkError`` lists all problems."""
    studies: list[Study] = []
    problems: list[str] = []
    for path in sorted(Path(folder or DEFAULT_FOLDER).glob("*.yml")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot be read as UTF-8 text ({exc})")
            continue
        study, found = parse_study(text, str(path))
        problems += found
        if study is not None:
            studies.append(study)
    if problems:
        raise BenchmarkError(problems)
    return studies


def band_shares(
    studies: list[Study] | str, kind: str | None = None
) -> list[tuple[str, dict[str, float | None]]]:
    """For ``charts.band_distribution``: (label, band -> published percent) per study that
    places figures in ``kind`` bands. A band a study does not report is absent (no bar).

    ``band_shares("size")`` loads the committed figures first."""
    if isinstance(studies, str):
        studies, kind = load_benchmarks(), studies
    result = []
    for study in studies:
        shares = {
            f.band: f.value for f in study.figures if f.band_kind == kind and f.band is not None
        }
        if shares:
            derived = any(f.derived for f in study.figures if f.band_kind == kind)
            label = f"{study.short} (published{'; one share derived' if derived else ''})"
            result.append((label, shares))
    return result


# --- rows for the /benchmarks/ page ------------------------------------------------------------


@dataclass(frozen=True)
class SourceLink:
    """One source as the page cites it: linked when ``url`` is known; ``note`` is said beside
    it (what the link is, or why there is none: at least ``NO_LINK``)."""

    text: str
    url: str | None
    note: str


def _source_link(text: str, url: str | None, note: str | None) -> SourceLink:
    return SourceLink(text=text, url=url, note=note or ("" if url else NO_LINK))


@dataclass(frozen=True)
class ConflictRow:
    """Another published value of a row's figure, with its own (linked) source."""

    value_text: str
    source: SourceLink
    year: int | None = None


@dataclass(frozen=True)
class BenchmarkRow:
    figure: str
    value: str  # as published, with conflicting values named
    population: str  # "population, year"
    source: str  # "source (primary|secondary|derived)"
    tracked: str  # the tracked communities in the same band, or "—"
    conflict: bool
    derived: bool
    caveat: str
    url: str | None = None
    #: The page's value cell: the figure's own value, then each conflict with its source link.
    own_value: str = ""
    conflicts: tuple[ConflictRow, ...] = ()
    source_link: SourceLink | None = None


@dataclass(frozen=True)
class BenchmarkGroup:
    title: str
    population: str
    caveat: str
    notes: str
    rows: tuple[BenchmarkRow, ...]


def _own_value(figure: Figure) -> str:
    return figure.value_text + (" (derived)" if figure.derived else "")


def _value_text(figure: Figure) -> str:
    text = _own_value(figure)
    for other in figure.conflicts:
        year = f", {other.year}" if other.year else ""
        text += f"; also published: {other.value_text} ({other.source}{year})"
    return text


def benchmark_groups(
    studies: list[Study] | None = None,
    tracked: Mapping[str, Mapping[str, int]] | None = None,
    comparable: Mapping[str, str] | None = None,
) -> list[BenchmarkGroup]:
    """One group per study for the page. ``tracked`` is kind -> band -> number of tracked
    communities (e.g. from ``metrics.size_band``), shown beside figures placed in a band;
    ``comparable`` (kind -> text, e.g. "participation" -> the median engagement) is shown
    beside figures that say ``compare: <kind>``."""
    studies = load_benchmarks() if studies is None else studies
    groups = []
    for study in studies:
        rows = []
        for figure in study.figures:
            comparison = "—"
            counts = (tracked or {}).get(figure.band_kind or "")
            if counts is not None and figure.band:
                total = sum(counts.values())
                if total:
                    count = counts.get(figure.band, 0)
                    comparison = f"{count} of {total} ({100 * count / total:.0f}%)"
            if figure.compare and (comparable or {}).get(figure.compare):
                comparison = (comparable or {})[figure.compare]
            year = figure.year if figure.year is not None else "year not given"
            rows.append(
                BenchmarkRow(
                    figure=figure.figure,
                    value=_value_text(figure),
                    population=f"{figure.population}, {year}",
                    source=f"{figure.source} ({figure.source_type})",
                    tracked=comparison,
                    conflict=bool(figure.conflicts),
                    derived=figure.derived,
                    caveat=figure.caveat or "",
                    url=figure.url,
                    own_value=_own_value(figure),
                    conflicts=tuple(
                        ConflictRow(
                            value_text=other.value_text,
                            source=_source_link(other.source, other.url, other.url_note),
                            year=other.year,
                        )
                        for other in figure.conflicts
                    ),
                    source_link=_source_link(
                        f"{figure.source} ({figure.source_type})", figure.url, figure.url_note
                    ),
                )
            )
        groups.append(
            BenchmarkGroup(
                title=study.title,
                population=study.population,
                caveat=study.caveat or "",
                notes=study.notes or "",
                rows=tuple(rows),
            )
        )
    return groups
