"""The work behind the site's invoke tasks (build, serve, livereload, clean, publish, new-post).

``tasks.py`` stays a thin layer of argument handling; everything here is importable and the
pure parts (slugs, post template, command lines, argument checks) are unit-tested.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent
OUTPUT = ROOT / "output"
POSTS = ROOT / "content" / "posts"
LOCAL_SETTINGS = ROOT / "pelicanconf.py"
PUBLISH_SETTINGS = ROOT / "publishconf.py"
WATCHED = ("content", "theme", "plugins", "data", "communities.yml", "pelicanconf.py")
DEFAULT_CATEGORY = "Project"
SLUG_MAX_LENGTH = 80

if str(ROOT / "plugins") not in sys.path:  # the placeholder text is shared with pulse_site
    sys.path.insert(0, str(ROOT / "plugins"))
from pulse_site.frontmatter import PLACEHOLDER_BODY, PLACEHOLDER_SUMMARY  # noqa: E402


class TaskError(Exception):
    """A user's mistake in a task's arguments: the message says what to do. No traceback."""


# --- new-post ---------------------------------------------------------------------------------


def slugify(title: str) -> str:
    """A URL slug from a title: ASCII, lowercase, words joined by single hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = "-".join(words)
    if len(slug) > SLUG_MAX_LENGTH:
        slug = slug[:SLUG_MAX_LENGTH].rsplit("-", 1)[0]
    return slug


def _front_matter_value(value: str) -> str:
    """One front-matter line holds one value: newlines would start a new field."""
    return " ".join(value.split())


def render_post(
    title: str, when: datetime, category: str = DEFAULT_CATEGORY, tags: list[str] | None = None
) -> str:
    """The markdown text of a new post, with the front matter every post carries."""
    clean_title = _front_matter_value(title)
    slug = slugify(clean_title)
    tag_line = ", ".join(_front_matter_value(tag) for tag in tags or [] if tag.strip())
    return (
        f"Title: {clean_title}\n"
        f"Date: {when:%Y-%m-%d %H:%M}\n"
        f"Category: {_front_matter_value(category)}\n"
        f"Tags: {tag_line}\n"
        f"Slug: {slug}\n"
        f"Summary: {PLACEHOLDER_SUMMARY}\n"
        "\n"
        f"{PLACEHOLDER_BODY} Cite every published figure with its source and year,\n"
        "and keep our own measurements apart from published ones.\n"
    )


def new_post_path(title: str, when: datetime, posts_dir: Path = POSTS) -> Path:
    """``content/posts/YYYY-MM-DD-slug.md`` for a title; TaskError if no slug can be made."""
    slug = slugify(title)
    if not slug:
        raise TaskError(
            f"cannot make a file name from the title {title!r}: it needs at least one letter "
            'or digit. Usage: invoke new-post "Title of the post"'
        )
    return posts_dir / f"{when:%Y-%m-%d}-{slug}.md"


def configured_categories(settings_file: Path = LOCAL_SETTINGS) -> list[str]:
    """``PULSE_CATEGORIES`` of the site's settings (empty when none is configured)."""
    from pelican.settings import get_settings_from_file

    return list(get_settings_from_file(str(settings_file)).get("PULSE_CATEGORIES") or [])


def check_category(category: str, allowed: list[str]) -> None:
    """TaskError unless ``category`` is one of the configured categories."""
    if allowed and category not in allowed:
        raise TaskError(
            f"unknown category {category!r}; use one of: {', '.join(allowed)} "
            "(PULSE_CATEGORIES in pelicanconf.py), e.g. --category " + allowed[0]
        )


def write_new_post(
    title: str,
    when: datetime,
    posts_dir: Path = POSTS,
    category: str = DEFAULT_CATEGORY,
    tags: list[str] | None = None,
    allowed_categories: list[str] | None = None,
) -> Path:
    """Write a new post and return its path; never overwrites an existing file. A category
    outside ``allowed_categories`` (when given) is refused."""
    if not title.strip():
        raise TaskError('the title is empty. Usage: invoke new-post "Title of the post"')
    check_category(category, allowed_categories or [])
    path = new_post_path(title, when, posts_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(render_post(title, when, category, tags))
    except FileExistsError:
        raise TaskError(f"{path} already exists; edit it, or choose another title.") from None
    return path


def parse_tags(tags: str | None) -> list[str]:
    """``"a, b"`` -> ``["a", "b"]``."""
    return [tag.strip() for tag in (tags or "").split(",") if tag.strip()]


# --- build, serve, clean, publish ---------------------------------------------------------------


def parse_port(port: object) -> int:
    """A TCP port from a task argument, or TaskError with the usage."""
    try:
        number = int(str(port))
    except ValueError:
        raise TaskError(f"--port must be a number from 1 to 65535, not {port!r}") from None
    if not 1 <= number <= 65535:
        raise TaskError(f"--port must be a number from 1 to 65535, not {number}")
    return number


@dataclass(frozen=True)
class BuildOptions:
    settings: Path = LOCAL_SETTINGS
    output: Path = OUTPUT
    config: str | None = None
    data: str | None = None
    fatal_warnings: bool = False
    fetch: bool | None = None  # None: as the settings file says (publishconf.py collects)


def check_build_options(config: str | None, data: str | None, root: Path = ROOT) -> None:
    """TaskError when --config names no file or --data names no directory."""
    if config is not None and not (root / config).is_file():
        raise TaskError(
            f"--config {config}: no such file. Point it at a communities registry, "
            "e.g. --config communities.yml"
        )
    if data is not None and not (root / data).is_dir():
        raise TaskError(
            f"--data {data}: no such directory. Point it at a folder holding snapshots/, "
            "e.g. --data data"
        )


def pelican_command(options: BuildOptions) -> list[str]:
    """The Pelican command line for a build (run in a fresh interpreter: plugin code reloads)."""
    command = [
        sys.executable,
        "-m",
        "pelican",
        str(ROOT / "content"),
        "--settings",
        str(options.settings),
        "--output",
        str(options.output),
    ]
    if options.fatal_warnings:
        command += ["--fatal", "warnings"]
    overrides: dict[str, object] = {}
    if options.config is not None:
        overrides["COMMUNITY_METRICS_CONFIG"] = str(ROOT / options.config)
    if options.data is not None:
        overrides["COMMUNITY_METRICS_DATA"] = str(ROOT / options.data)
    if options.fetch is not None:
        overrides["COMMUNITY_METRICS_FETCH"] = options.fetch
    if overrides:
        command.append("--extra-settings")
        command += [f"{key}={json.dumps(value)}" for key, value in overrides.items()]
    return command


def run_build(options: BuildOptions) -> int:
    """Run Pelican; return its exit status."""
    return subprocess.run(pelican_command(options), cwd=ROOT, check=False).returncode


def clean(output: Path = OUTPUT) -> bool:
    """Remove the output directory; True if there was one."""
    if output.exists():
        shutil.rmtree(output)
        return True
    return False


def serve_command(port: int, output: Path = OUTPUT) -> list[str]:
    """Serve ``output`` on 127.0.0.1 only (never on all interfaces)."""
    return [
        sys.executable,
        "-m",
        "http.server",
        str(port),
        "--bind",
        "127.0.0.1",
        "--directory",
        str(output),
    ]


def ghp_import_command(output: Path, branch: str, remote: str | None, message: str) -> list[str]:
    """ghp-import commits ``output`` to ``branch`` with a .nojekyll; pushes when remote is set."""
    command = [
        sys.executable,
        "-m",
        "ghp_import",
        "--no-jekyll",
        "--branch",
        branch,
        "--message",
        message,
    ]
    if remote:
        command += ["--push", "--remote", remote]
    command.append(str(output))
    return command


def git_remote_exists(remote: str, root: Path = ROOT) -> bool:
    result = subprocess.run(
        ["git", "remote", "get-url", remote], cwd=root, capture_output=True, check=False
    )
    return result.returncode == 0


# --- livereload -------------------------------------------------------------------------------


def watched_paths(root: Path = ROOT) -> list[Path]:
    """What livereload watches: content, theme, plugins, data, the registry, the settings."""
    return [root / name for name in WATCHED if (root / name).exists()]


def serve_with_livereload(options: BuildOptions, port: int) -> None:
    """Build, then rebuild in a subprocess on every change (so plugin code is reloaded) and
    refresh the browser."""
    from livereload import Server

    def rebuild() -> None:
        status = run_build(options)
        if status:
            print(
                f"community_metrics: build failed (exit {status}); fix it and save again",
                file=sys.stderr,
            )

    rebuild()
    server = Server()
    for path in watched_paths():
        server.watch(str(path), rebuild)  # a directory is watched recursively
    server.serve(host="127.0.0.1", port=port, root=str(options.output), open_url_delay=None)
