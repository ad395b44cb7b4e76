"""Clear errors for a post's broken front matter: the file, the line, what is wrong, what to do.

Pelican skips a file whose date does not parse but, unless DEBUG is on, logs only "Could not
process <file>". The checked reader below names the field and the value first. Errors are
logged (not raised) so that a local build warns and goes on, while ``--fatal warnings``
(publishing) turns them into a failed build.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pelican.readers import MarkdownReader

logger = logging.getLogger(__name__)

FORBIDDEN_IN_CATEGORY = re.compile(r"[,;\[\]{}/]")

#: The placeholder text ``invoke new-post`` writes (site_tasks.render_post uses these): a post
#: that still carries one is reported on build with its file and line.
PLACEHOLDER_SUMMARY = (
    "One or two sentences that say what the post is about (shown on the home page and in feeds)."
)
PLACEHOLDER_BODY = "Write the post here, in Markdown."

#: Dates whose day and month order cannot be told apart (01/02/2026, 1.2.26, 01-02-2026).
AMBIGUOUS_DATE = re.compile(r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b")
ACCEPTED_DATE_FORMS = "YYYY-MM-DD, YYYY-MM-DD HH:MM or YYYY-MM-DDTHH:MM:SS+00:00"


class FrontMatterError(ValueError):
    """A metadata field of a content file that cannot be used as written."""


def field_line(path: str | Path, field: str) -> int | None:
    """Line number (1-based) of ``Field:`` in the file's front matter, or None."""
    pattern = re.compile(rf"^\s*{re.escape(field)}\s*:", re.IGNORECASE)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            return None  # front matter ends at the first blank line
        if pattern.match(line):
            return number
    return None


def _where(path: str | Path, field: str) -> str:
    line = field_line(path, field)
    return f"{path}:{line}" if line else str(path)


FIELD_HELP = {
    "date": f"write it as {ACCEPTED_DATE_FORMS}, e.g. 'Date: 2026-11-22 09:30'",
    "modified": f"write it as {ACCEPTED_DATE_FORMS}, e.g. 'Modified: 2026-11-22'",
}


class CheckedMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, naming the file, line and field when a value is invalid."""

    def read(self, source_path: str) -> tuple[str, dict]:
        self._checked_path = source_path
        return super().read(source_path)

    def process_metadata(self, name: str, value: str) -> object:
        try:
            if name in ("date", "modified") and AMBIGUOUS_DATE.match(str(value)):
                raise ValueError("ambiguous: day and month order cannot be told apart")
            return super().process_metadata(name, value)
        except (ValueError, OverflowError) as error:
            path = getattr(self, "_checked_path", "?")
            help_text = FIELD_HELP.get(name, "correct the value in the front matter")
            logger.error(
                "community_metrics: %s: front matter '%s: %s' is not valid (%s); %s. "
                "The file is skipped.",
                _where(path, name),
                name.capitalize(),
                value,
                error,
                help_text,
            )
            raise FrontMatterError(f"{path}: invalid {name}: {value!r}") from error


def install_checked_readers(readers: object) -> None:
    """readers_init receiver (sent before the readers are instantiated): use the checked
    Markdown reader wherever Pelican would use its own."""
    for extension, reader_class in list(readers.reader_classes.items()):
        if reader_class is MarkdownReader:
            readers.reader_classes[extension] = CheckedMarkdownReader


def category_problem(category: str, allowed: list[str] | None) -> str | None:
    """Why ``category`` cannot be used, or None when it is fine."""
    if not category.strip():
        return "the category is empty"
    if FORBIDDEN_IN_CATEGORY.search(category):
        return (
            "a post has exactly one category, written as a plain name "
            "(use Tags: for several labels)"
        )
    if allowed and category not in allowed:
        return f"unknown category; use one of: {', '.join(allowed)} (PULSE_CATEGORIES)"
    return None


def placeholder_lines(path: str | Path) -> list[tuple[int, str]]:
    """(line, text) of every line of the file that still holds ``invoke new-post``'s
    placeholder summary or body."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    found = []
    for number, line in enumerate(lines, start=1):
        for placeholder in (PLACEHOLDER_SUMMARY, PLACEHOLDER_BODY):
            if placeholder in " ".join(line.split()):
                found.append((number, placeholder))
    return found


def report_placeholders(instance: object) -> None:
    path = getattr(instance, "source_path", None)
    if not path:
        return
    for number, placeholder in placeholder_lines(path):
        logger.warning(
            "community_metrics: %s:%s: the post still carries the new-post template's "
            "placeholder (%r); replace it with your own text before publishing.",
            path,
            number,
            placeholder,
        )


def check_content_metadata(instance: object) -> None:
    """content_object_init receiver: report a missing title, an unusable category, and the
    new-post template's placeholder text left in the post."""
    if type(instance).__name__ != "Article":
        return
    report_placeholders(instance)
    if not getattr(instance, "title", None):
        logger.error(
            "community_metrics: %s: the front matter has no 'Title:' line; add one at the top, "
            "e.g. 'Title: What we measure'. The post is skipped.",
            getattr(instance, "source_path", "?"),
        )
    category = getattr(instance, "category", None)
    if category is None:
        return
    settings = getattr(instance, "settings", {}) or {}
    problem = category_problem(str(category), settings.get("PULSE_CATEGORIES"))
    if problem:
        path = getattr(instance, "source_path", "?")
        logger.error(
            "community_metrics: %s: front matter 'Category: %s': %s.",
            _where(path, "category"),
            category,
            problem,
        )
