"""Pelican glue: load registry and history, compute the dashboard, write its pages and files.

``generate_context`` loads and computes (and publishes ``pulse`` into the shared context, for
the home page's headline partial); ``generate_output`` writes /dashboard/, /communities/<slug>/,
/benchmarks/, /status/, /data/ and the download files. Nothing here touches the network unless
``COMMUNITY_METRICS_FETCH`` is True, and then only through the collection engineer's function.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter as clock
from typing import Any

from pelican.generators import Generator
from pelican.utils import (
    get_relative_path,
    path_to_url,
    truncate_html_paragraphs,
    truncate_html_words,
)

from community_metrics.glue.forked import forked_map
from community_metrics.glue.manual import manual_values
from community_metrics.glue.markdown_ext import has_slots
from community_metrics.glue.shortcodes import ShortcodeProblem, replace_shortcodes
from community_metrics.glue.signals import community_metrics_generator_finalized
from community_metrics.registry.config import ConfigError, Registry
from community_metrics.render import changes, compare, downloads, pages, readers
from community_metrics.render.dashboard import PostLink
from community_metrics.store.history import History, can_fork, load_history
from community_metrics.store.snapshots import snapshot_paths

logger = logging.getLogger(__name__)

Files = tuple[str, str]  # (save_as, text)


DEMO_NOTICE = (
    '<p class="notice notice-demo" role="note"><strong>Demo data.</strong> The numbers quoted '
    "in this post are synthetic (no snapshot has been collected yet); they describe no real "
    "community.</p>\n"
)


class PulseBuildError(SystemExit):
    """The build cannot go on (strict mode, or a broken registry); the message says why and
    what to do. A user's mistake, not a bug: it is a ``SystemExit`` so that Pelican's command
    line, which logs every ``Exception`` with its traceback, ends with this message and
    status 1 instead."""


def _resolve(path: str | os.PathLike[str]) -> Path:
    # Relative settings are relative to the directory the build runs from (the project root).
    return Path(path).expanduser().resolve()


def choose_origin(settings: dict[str, Any]) -> tuple[Path, Path, bool]:
    """(data folder, registry file, is_demo): data/ when it holds a snapshot, else demo/."""
    data_dir = _resolve(settings["COMMUNITY_METRICS_DATA"])
    config = _resolve(settings["COMMUNITY_METRICS_CONFIG"])
    if snapshot_paths(data_dir):
        return data_dir, config, False
    demo_dir = _resolve(settings["COMMUNITY_METRICS_DEMO"])
    return demo_dir, demo_dir / "communities.yml", True


def benchmark_folder(data_dir: Path) -> Path | None:
    """``<data>/benchmarks`` when it holds figures, else the committed ``data/benchmarks``."""
    folder = data_dir / "benchmarks"
    return folder if any(folder.glob("*.yml")) else None


def load_registry_or_fail(path: Path) -> Registry | None:
    """The registry, or None when the file does not exist; problems end the build."""
    from community_metrics.registry.config import load_registry

    if not path.exists():
        logger.warning(
            "community_metrics: no registry at %s; pages show the communities found in the "
            "snapshots, without names or descriptions",
            path,
        )
        return None
    try:
        return load_registry(path)
    except ConfigError as exc:
        for problem in exc.problems:
            logger.error("community_metrics: %s", problem)
        raise PulseBuildError(
            f"{path}: {len(exc.problems)} problem(s) in the registry (listed above); "
            "fix them and build again"
        ) from None


def collect_before_build(settings: dict[str, Any]) -> None:
    """COMMUNITY_METRICS_FETCH: collect today's snapshot into the data folder first.

    A failing platform is recorded in the snapshot (stale/error) and shown on /status/; only a
    registry or snapshot-file problem stops the build."""
    from community_metrics.collect.command import UsageError, collect_and_store
    from community_metrics.store.snapshots import SnapshotError

    config = _resolve(settings["COMMUNITY_METRICS_CONFIG"])
    data = _resolve(settings["COMMUNITY_METRICS_DATA"])
    try:
        report = collect_and_store(config, data)
    except ConfigError as exc:
        for problem in exc.problems:
            logger.error("community_metrics: %s", problem)
        raise PulseBuildError(f"{config}: the registry has problems (listed above)") from None
    except (SnapshotError, UsageError) as exc:
        raise PulseBuildError(f"collecting before the build failed: {exc}") from None
    logger.info(
        "community_metrics: collected %s of %s sources before the build into %s",
        report.collection.succeeded,
        len(report.collection.reports),
        report.path,
    )


def origin_message(
    settings: dict[str, Any],
    data_dir: Path,
    is_demo: bool,
    history: History,
    configured: Registry | None,
) -> str:
    """One sentence for the terminal: which history this build used and, while ``data/`` holds
    no snapshot, that the registry's communities are not collected yet and how to collect them."""
    days = len(history.dates)
    span = f"{history.dates[0]} to {history.dates[-1]}" if days else "no dates"
    if not is_demo:
        return (
            f"community_metrics: built from the collected history in {data_dir} "
            f"({days} day(s), {span})"
        )
    data = _resolve(settings["COMMUNITY_METRICS_DATA"])
    config = _resolve(settings["COMMUNITY_METRICS_CONFIG"])
    demo = (
        f"community_metrics: no snapshot in {data} yet: this build used the synthetic DEMO "
        f"history in {data_dir} ({days} day(s), {span}); every page that shows numbers says so."
    )
    if configured is None:
        return f"{demo} There is no registry at {config}: add one, then run `invoke snapshot`."
    count = len(configured.communities)
    return (
        f"{demo} The {count} communit{'y' if count == 1 else 'ies'} of {config.name} "
        f"{'is' if count == 1 else 'are'} not collected yet: run `invoke snapshot` "
        f"(`invoke snapshot --check --only SLUG` first to see what each source needs); "
        "the next build then uses them."
    )


def say_origin(
    settings: dict[str, Any],
    data_dir: Path,
    is_demo: bool,
    history: History,
    configured: Registry | None,
) -> None:
    """Printed, not logged: Pelican shows only warnings by default, and a warning would stop a
    build run with --fatal warnings (publishconf.py prints its SITEURL notice the same way)."""
    print(origin_message(settings, data_dir, is_demo, history, configured), file=sys.stderr)


class CommunityMetricsGenerator(Generator):
    """Writes the dashboard pages; keeps all state on the instance (fresh every build)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Our pages render config, API and post strings: escape everything by default.
        self.env.autoescape = True
        self.pulse: pages.Pulse | None = None
        self._year_files: Any = None  # the process writing the yearly files, if any
        self._warnings: list[str] = []  # shown on /status/ too

    # --- context ---------------------------------------------------------------------------

    def generate_context(self) -> None:
        settings = self.settings
        strict = bool(settings.get("COMMUNITY_METRICS_STRICT"))
        if settings.get("COMMUNITY_METRICS_FETCH"):
            collect_before_build(settings)
        data_dir, config_path, is_demo = choose_origin(settings)
        started = clock()
        configured_registry = None
        if is_demo:
            # The maintainer's registry is checked even before its first snapshot, so a
            # mistake in it shows on the next build, not only at the next collection.
            configured = _resolve(settings["COMMUNITY_METRICS_CONFIG"])
            if configured.exists():
                configured_registry = load_registry_or_fail(configured)
        registry = load_registry_or_fail(config_path)
        now = settings.get("COMMUNITY_METRICS_NOW") or datetime.now(UTC)
        with _history_out_of_the_cycle_collector():
            history = load_history(
                data_dir,
                registry,
                manual=manual_values(registry),
                today=(now.astimezone(UTC) if now.tzinfo else now).date(),
            )
        say_origin(settings, data_dir, is_demo, history, configured_registry)
        logger.debug("community_metrics: history loaded in %.1f s", clock() - started)
        self._report_snapshot_errors(history, strict)
        # The yearly files grow with communities x days and need only the history: a second
        # process writes them while this one computes the pages' models and renders them
        # (two cores; the child shares the history copy-on-write). Pelican has already
        # cleaned the output folder.
        self._year_files = start_year_files(
            history, is_demo or history.synthetic, Path(self.output_path)
        )
        self.pulse = pages.build_pulse(
            history,
            registry,
            now=now,
            origin=str(data_dir),
            is_demo=is_demo,
            plotly_js=settings["COMMUNITY_METRICS_PLOTLY_JS"],
            posts=self._posts_by_community(history),
            link_prefix="../../" if settings["RELATIVE_URLS"] else settings["SITEURL"] + "/",
            benchmark_folder=benchmark_folder(data_dir),
        )
        broken_benchmarks = [w for w in self.pulse.warnings if w.startswith("benchmarks:")]
        if strict and broken_benchmarks:
            raise PulseBuildError("; ".join(broken_benchmarks))
        self._replace_shortcodes(history, strict)
        self.pulse.warnings.extend(self._warnings)
        self.context["pulse"] = self.pulse
        logger.debug("community_metrics: dashboard computed in %.1f s", clock() - started)
        community_metrics_generator_finalized.send(self)

    def _report_snapshot_errors(self, history: History, strict: bool) -> None:
        for error in history.errors:
            logger.warning("community_metrics: left out %s", error)
        for problem in history.backfill_warnings:  # observed values are unaffected
            self._warn(f"back-fill file left out: {problem}")
        if strict and history.errors:
            names = "; ".join(str(error) for error in history.errors)
            raise PulseBuildError(
                f"{len(history.errors)} snapshot file(s) break the contract: {names}"
            )

    def _warn(self, message: str) -> None:
        logger.warning("community_metrics: %s", message)
        self._warnings.append(message)

    def _articles(self) -> list[Any]:
        return list(self.context.get("articles", []))

    def _posts_by_community(self, history: History) -> dict[str, list[PostLink]]:
        known = set(history.communities())
        posts: dict[str, list[PostLink]] = {}
        for article in self._articles():
            for slug in post_communities(article):
                if slug not in known:
                    self._warn(
                        f"{article.source_path}: front matter 'Communities' names {slug!r}, "
                        "which is not a tracked community; fix the slug or add it to the registry"
                    )
                    continue
                posts.setdefault(slug, []).append(
                    PostLink(str(article.title), article.url, article.date.date().isoformat())
                )
        return posts

    def _replace_shortcodes(self, history: History, strict: bool) -> None:
        """Fill the shortcode slots that the Markdown extension left in posts and pages."""
        problems: list[ShortcodeProblem] = []
        known = history.communities()
        for content in self._articles() + list(self.context.get("pages", [])):
            body = content._content or ""
            given = content.metadata.get("summary") if hasattr(content, "metadata") else None
            if not has_slots(body) and not (isinstance(given, str) and has_slots(given)):
                continue
            try:
                source_text = Path(content.source_path).read_text(encoding="utf-8")
            except OSError:
                source_text = ""
            post_day = content.date.date().isoformat() if getattr(content, "date", None) else None
            renderer = pages.ShortcodeRenderer(self.pulse, history, self.env)

            where = {
                "source_text": source_text,
                "source_path": content.source_path,
                "post_date": post_day,
                "known_communities": known,
            }

            new_body, found = replace_shortcodes(body, render=renderer.render, **where)
            if self.pulse.synthetic and renderer.rendered:
                new_body = DEMO_NOTICE + new_body  # the post quotes made-up numbers
            content._content = new_body
            if renderer.charts:
                content.pulse_charts = True  # article.html loads pulse.js for it
                content.metadata["pulse_charts"] = True
            problems.extend(found)
            # a summary never holds a chart (nor its JSON, which would reach the description)
            text_only = pages.ShortcodeRenderer(self.pulse, history, self.env).render_text
            if isinstance(given, str):
                summary, _ = replace_shortcodes(given, render=text_only, **where)
            else:
                summary = self._summary_of(replace_shortcodes(body, render=text_only, **where)[0])
            content.metadata["summary"] = summary
            content._summary = summary
        for problem in problems:
            self._warn(str(problem))
        if strict and problems:
            raise PulseBuildError(
                f"{len(problems)} shortcode problem(s) in posts: "
                + "; ".join(str(p) for p in problems)
            )

    def _summary_of(self, html_text: str) -> str:
        """Pelican's own summary rule (paragraphs, then words), over the text without charts."""
        paragraphs = self.settings.get("SUMMARY_MAX_PARAGRAPHS")
        if paragraphs is not None:
            html_text = truncate_html_paragraphs(html_text, paragraphs)
        length = self.settings.get("SUMMARY_MAX_LENGTH")
        if length is None:
            return html_text
        return truncate_html_words(html_text, length, self.settings.get("SUMMARY_END_SUFFIX"))

    # --- output ----------------------------------------------------------------------------

    def generate_output(self, writer: Any) -> None:
        if self.pulse is None:
            return
        pulse = self.pulse
        common = {"pulse": pulse}
        relative = self.settings["RELATIVE_URLS"]

        def write(save_as: str, template: str, **extra: Any) -> None:
            writer.write_file(
                save_as,
                self.get_template(template),
                self.context,
                relative_urls=relative,
                url=save_as.removesuffix("index.html"),
                **common,
                **extra,
            )

        started = clock()
        compare_page = readers.compare_context(pulse)
        # the workers start computing the community pages now; this process writes the
        # site-wide pages meanwhile, then the workers' files as they come, in order
        community_files = forked_map(self._community_files(compare_page), len(pulse.communities))
        self._write_dashboard(write, writer)
        write("benchmarks/index.html", "pulse/benchmarks")
        write("status/index.html", "pulse/status")
        write("compare/index.html", "pulse/compare", compare=compare_page)
        self._write_reader_files(writer)
        self._write_data_files(writer)
        for files in community_files:
            for save_as, text in files:
                self._write_raw(writer, save_as, text)
        finish_year_files(self._year_files)
        self._year_files = None
        write(
            "data/index.html",
            "pulse/data",
            data_files=readers.data_files(Path(self.output_path), pulse),
            citation=readers.citation(pulse, self.settings),
            licence={
                "name": readers.LICENCE_NAME,
                "url": readers.LICENCE_URL,
                "reason": readers.LICENCE_REASON,
            },
        )
        logger.debug("community_metrics: pages and downloads written in %.1f s", clock() - started)
        gc.unfreeze()  # what the build kept can be collected again (a server builds again)

    def _community_files(self, compare_page: dict[str, Any]) -> Callable[[int], list[Files]]:
        """The job of one community (by position): its page, rendered as the writer would
        render it, its comparison data, badges and CSV, as (save_as, text) pairs."""
        pulse = self.pulse
        history = pulse.history
        template = self.get_template("pulse/community")
        note = downloads.csv_note(pulse.synthetic)
        extra = {"pulse": pulse, "badge_site_url": self.settings.get("SITEURL", "")}

        def files(index: int) -> list[Files]:
            view = pulse.communities[index]
            page = f"communities/{view.slug}/index.html"
            peers = compare_page["peers"].get(view.slug, "")
            context = self._page_context(
                page,
                community=view,
                peers_query=peers,
                badge_widths=readers.badge_widths(view),
                **extra,
            )
            style = pulse.styles.get(view.slug)
            found = [
                (page, template.render(context)),
                (f"compare/data/{view.slug}.json", compare.community_json(history, view, style)),
            ]
            vars(view).pop("charts", None)  # made for this page only: memory stays flat
            found += [
                (f"badges/{view.slug}/{metric}.svg", svg)
                for metric, svg in readers.badges(view).items()
            ]
            csv = note + downloads.community_csv(history, view.slug)
            found.append((f"data/communities/{view.slug}.csv", csv))
            return found

        return files

    def _page_context(self, save_as: str, **extra: Any) -> dict[str, Any]:
        """The context Pelican's ``Writer.write_file`` gives a template writing ``save_as``."""
        context = self.context.copy()
        context["localsiteurl"] = context.get("localsiteurl", None)
        if self.settings["RELATIVE_URLS"]:
            relative = path_to_url(get_relative_path(save_as))
            context["SITEURL"] = context["localsiteurl"] = relative
        context["output_file"] = save_as
        context.update(extra)
        return context

    def _write_data_files(self, writer: Any) -> None:
        """The schema and, while the history is small, the whole history in one CSV and one
        JSON file (the per-community CSVs come with the community pages)."""
        pulse = self.pulse
        self._write_raw(writer, "data/snapshot.schema.json", downloads.snapshot_schema_json())
        if pulse.full_downloads:
            note = downloads.csv_note(pulse.synthetic)
            csv = note + downloads.observations_csv(pulse.history)
            self._write_raw(writer, "data/observations.csv", csv)
            self._write_raw(
                writer, "data/observations.json", downloads.observations_json(pulse.history)
            )

    def _write_raw(self, writer: Any, save_as: str, text: str) -> None:
        """A file already made (a page rendered by a worker, JSON, SVG, CSV, Atom) through
        Pelican's writer: its path checks, overwrite guard and ``content_written`` apply."""
        writer.write_file(save_as, VERBATIM, self.context, pulse_raw=text)

    def _write_dashboard(self, write: Any, writer: Any) -> None:
        """/dashboard/ with the leaders; /dashboard/page/<n>/ (static, no script needed) and
        /dashboard/rows/<n>.json (the rows the script adds on demand) for the rest."""
        pulse = self.pulse
        pages_ = readers.table_pages(
            pulse.communities,
            self.settings.get("COMMUNITY_METRICS_TABLE_ROWS", readers.ROWS_PER_PAGE),
        )
        row_macro = self.get_template("pulse/readers").module.community_row
        for table_page in pages_:
            if table_page.number == 1:
                write(
                    "dashboard/index.html",
                    "pulse/dashboard",
                    dashboard_rows=table_page.rows,
                    table_page=table_page,
                )
                continue
            write(
                f"dashboard/page/{table_page.number}/index.html",
                "pulse/dashboard_page",
                dashboard_rows=table_page.rows,
                table_page=table_page,
            )
            # Rows for the script of /dashboard/: links relative to /dashboard/ ("..").
            rows = [str(row_macro(c, "..")) for c in table_page.rows]
            self._write_raw(writer, table_page.chunk, readers.rows_json(rows))

    def _write_reader_files(self, writer: Any) -> None:
        """/compare/communities.json and, when the site writes feeds
        (``FEED_ALL_ATOM`` set, as publishconf.py does), /feeds/changes.atom.xml."""
        pulse = self.pulse
        history = pulse.history
        self._write_raw(
            writer, "compare/communities.json", readers.compare_index_json(pulse.communities)
        )
        feed_path = self.settings.get("COMMUNITY_METRICS_CHANGES_FEED")
        if not (feed_path and self.settings.get("FEED_ALL_ATOM")):
            return  # the site's feeds are off (a local build): so is this one
        names = {view.slug: view.name for view in pulse.communities}
        now = self.settings.get("COMMUNITY_METRICS_NOW") or datetime.now(UTC)
        feed = changes.changes_atom(
            changes.change_days(history, names),
            site_url=self.settings.get("FEED_DOMAIN") or self.settings.get("SITEURL", ""),
            site_name=self.settings.get("SITENAME", "Community Pulse"),
            updated=now,
            synthetic=pulse.synthetic,
        )
        self._write_raw(writer, feed_path, feed)


class Verbatim:
    """The "template" of a file that is already made: Pelican's writer asks a template to
    ``render(context)``, and this one gives back the text as it is (a Jinja pass-through
    template cost more than the rest of writing the file)."""

    def render(self, context: dict[str, Any]) -> str:
        return context["pulse_raw"]


VERBATIM = Verbatim()


@contextmanager
def _history_out_of_the_cycle_collector() -> Iterator[None]:
    """Reading a history makes millions of objects and no reference cycle, yet the tuples of
    its checks would start the cycle collector every few hundred: it is off while the files are
    read (forked readers inherit that). What was read then lives until the build ends, frozen
    out of the collector's walks, which would also make every forked process copy the memory
    pages they touch (``generate_output`` unfreezes it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


def start_year_files(history: History, synthetic: bool, output: Path) -> Any:
    """Start writing the yearly gzip files in a forked process (None: written here, now)."""
    if not can_fork():
        pages.write_year_files(history, synthetic, output)
        return None
    process = multiprocessing.get_context("fork").Process(
        target=pages.write_year_files, args=(history, synthetic, output), name="pulse-year-files"
    )
    process.start()
    return process


def finish_year_files(process: Any) -> None:
    if process is None:
        return
    process.join()
    if process.exitcode != 0:
        raise PulseBuildError(
            f"writing the yearly /data/ files failed (exit status {process.exitcode}); "
            "the error is printed above"
        )


def post_communities(article: Any) -> list[str]:
    """Slugs named by a post's ``Communities:`` front matter ("python, rust")."""
    raw = article.metadata.get("communities") if hasattr(article, "metadata") else None
    if not raw:
        return []
    if isinstance(raw, list | tuple):
        raw = ",".join(str(item) for item in raw)
    return [slug.strip().lower() for slug in str(raw).split(",") if slug.strip()]
