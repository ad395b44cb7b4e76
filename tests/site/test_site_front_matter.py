"""Broken front matter: the build names the file, the line and the problem; a local build
warns and goes on, a publish build (--fatal warnings) fails."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pulse_site.frontmatter import category_problem, field_line

from tests.conftest import ROOT, build_site
from tests.site.conftest import blog_only_settings

GOOD = """Title: A good post
Date: 2026-11-01 10:00
Category: Measurement
Slug: good-post
Summary: Fine.

Body.
"""
BAD_POSTS = {
    "bad-date.md": (
        "Title: Bad date\nDate: 2026-13-45 10:00\nCategory: Measurement\nSlug: bad-date\n\nBody.\n",
        ["bad-date.md:2", "Date: 2026-13-45 10:00", "YYYY-MM-DD"],
    ),
    "no-title.md": (
        "Date: 2026-11-02\nCategory: Measurement\nSlug: no-title\n\nBody.\n",
        ["no-title.md", "title"],
    ),
    "two-categories.md": (
        "Title: Two categories\nDate: 2026-11-03\nCategory: Measurement, Methods\n"
        "Slug: two-categories\n\nBody.\n",
        ["two-categories.md:3", "exactly one category", "Tags:"],
    ),
    "ambiguous-date.md": (
        "Title: Ambiguous\nDate: 01/02/2026\nCategory: Measurement\nSlug: ambiguous\n\nB.\n",
        ["ambiguous-date.md:2", "ambiguous", "YYYY-MM-DD, YYYY-MM-DD HH:MM"],
    ),
    "placeholder.md": (
        "Title: Draft\nDate: 2026-11-05\nCategory: Measurement\nSlug: draft\n"
        "Summary: One or two sentences that say what the post is about (shown on the home page"
        " and in feeds).\n\nWrite the post here, in Markdown. Then more.\n",
        ["placeholder.md:5", "placeholder.md:7", "placeholder"],
    ),
    "unknown-category.md": (
        "Title: Unknown\nDate: 2026-11-04\nCategory: Measurment\nSlug: unknown-category\n\nB.\n",
        ["unknown-category.md:3", "unknown category", "Measurement, Methods, Project"],
    ),
}


def _content(tmp_path: Path, names: list[str]) -> Path:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "pages").mkdir()
    (content / "posts" / "good.md").write_text(GOOD, encoding="utf-8")
    for name in names:
        (content / "posts" / name).write_text(BAD_POSTS[name][0], encoding="utf-8")
    return content


@pytest.mark.parametrize("name", sorted(BAD_POSTS))
def test_local_build_names_the_file_and_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    content = _content(tmp_path, [name])
    with caplog.at_level(logging.WARNING):
        output = build_site(tmp_path / "out", **blog_only_settings(content))
    messages = "\n".join(record.getMessage() for record in caplog.records)
    for expected in BAD_POSTS[name][1]:
        assert expected in messages, f"{expected!r} not in the build's messages:\n{messages}"
    assert any(record.levelno >= logging.WARNING for record in caplog.records)
    assert (output / "posts/good-post/index.html").is_file()  # the build went on
    assert "Traceback" not in messages


def _pelican_cli(
    content: Path, output: Path, settings: str, fatal: bool
) -> subprocess.CompletedProcess:
    overrides = [
        'PLUGINS=["pulse_site"]',
        f'PLUGIN_PATHS=["{ROOT / "plugins"}"]',
        "TEMPLATE_PAGES={}",
        "STATIC_PATHS=[]",
        "EXTRA_PATH_METADATA={}",
        "COMMUNITY_METRICS_FETCH=false",
    ]
    command = [
        sys.executable,
        "-m",
        "pelican",
        str(content),
        "-s",
        str(ROOT / settings),
        "-o",
        str(output),
        "--log-handler",
        "plain",
    ]
    if fatal:
        command += ["--fatal", "warnings"]
    command += ["-e", *overrides]
    env = {**os.environ, "SITEURL": "https://pulse.example.org", "COLUMNS": "200"}
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("name", ["bad-date.md", "no-title.md", "unknown-category.md"])
def test_publish_build_fails_on_broken_front_matter(tmp_path: Path, name: str) -> None:
    content = _content(tmp_path, [name])
    result = _pelican_cli(content, tmp_path / "out", "publishconf.py", fatal=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert name in output


def test_publish_build_passes_on_good_front_matter(tmp_path: Path) -> None:
    content = _content(tmp_path, [])
    result = _pelican_cli(content, tmp_path / "out", "publishconf.py", fatal=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out/posts/good-post/index.html").is_file()


def test_local_cli_build_warns_but_succeeds(tmp_path: Path) -> None:
    content = _content(tmp_path, ["bad-date.md"])
    result = _pelican_cli(content, tmp_path / "out", "pelicanconf.py", fatal=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "bad-date.md:2" in result.stdout + result.stderr


def test_field_line_stops_at_the_end_of_front_matter(tmp_path: Path) -> None:
    post = tmp_path / "p.md"
    post.write_text("Title: T\nCategory: X\n\nCategory: in the body\n", encoding="utf-8")
    assert field_line(post, "category") == 2
    assert field_line(post, "date") is None
    assert field_line(tmp_path / "missing.md", "title") is None


@pytest.mark.parametrize(
    ("category", "problem"),
    [
        ("Measurement", None),
        ("", "empty"),
        ("A, B", "exactly one category"),
        ("[Measurement]", "exactly one category"),
        ("Measurment", "unknown category"),
    ],
)
def test_category_problem(category: str, problem: str | None) -> None:
    found = category_problem(category, ["Measurement", "Methods"])
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_any_plain_category_is_fine_without_a_list() -> None:
    assert category_problem("Anything", None) is None


def test_an_ambiguous_date_is_skipped_not_guessed(tmp_path: Path) -> None:
    content = _content(tmp_path, ["ambiguous-date.md"])
    output = build_site(tmp_path / "out", **blog_only_settings(content))
    assert not (output / "posts/ambiguous/index.html").exists()
