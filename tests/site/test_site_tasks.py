"""The helpers behind the site's invoke tasks, and the tasks' answers to bad arguments."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from pelican.readers import MarkdownReader
from pelican.settings import DEFAULT_CONFIG

import site_tasks
from site_tasks import (
    BuildOptions,
    TaskError,
    check_build_options,
    ghp_import_command,
    new_post_path,
    parse_port,
    parse_tags,
    pelican_command,
    render_post,
    serve_command,
    slugify,
    watched_paths,
    write_new_post,
)
from tests.conftest import ROOT

WHEN = datetime(2026, 11, 22, 9, 5)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Counting members", "counting-members"),
        ("  Hello,   World!  ", "hello-world"),
        ("Café au lait: 2026 edition", "cafe-au-lait-2026-edition"),
        ("Engagement -- the hardest number?", "engagement-the-hardest-number"),
        ("???", ""),
        ("日本語", ""),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugify_cuts_long_titles_at_a_word() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 80 and not slug.endswith("-") and slug.startswith("word-word")


def test_new_post_is_read_by_pelican_with_the_right_metadata(tmp_path: Path) -> None:
    path = write_new_post("What 90/9/1 means", WHEN, tmp_path, "Methods", ["engagement", "x"])
    assert path == tmp_path / "2026-11-22-what-90-9-1-means.md"
    settings = dict(DEFAULT_CONFIG)
    content, metadata = MarkdownReader(settings).read(str(path))
    assert metadata["title"] == "What 90/9/1 means"
    assert metadata["date"] == datetime(2026, 11, 22, 9, 5)
    assert str(metadata["category"]) == "Methods"
    assert [str(tag) for tag in metadata["tags"]] == ["engagement", "x"]
    assert metadata["slug"] == "what-90-9-1-means"
    assert metadata["summary"]
    assert content.strip()


def test_new_post_refuses_to_overwrite(tmp_path: Path) -> None:
    first = write_new_post("Same title", WHEN, tmp_path)
    first.write_text("my edits", encoding="utf-8")
    with pytest.raises(TaskError, match="already exists"):
        write_new_post("Same title", WHEN, tmp_path)
    assert first.read_text(encoding="utf-8") == "my edits"


@pytest.mark.parametrize("title", ["", "   ", "!!!"])
def test_new_post_rejects_titles_without_a_slug(tmp_path: Path, title: str) -> None:
    with pytest.raises(TaskError, match="Usage: invoke new-post"):
        write_new_post(title, WHEN, tmp_path)
    assert not list(tmp_path.iterdir())


def test_a_newline_in_the_title_cannot_inject_front_matter() -> None:
    text = render_post("Title\nStatus: draft", WHEN)
    assert text.splitlines()[0] == "Title: Title Status: draft"
    assert "\nStatus:" not in text


def test_new_post_path_is_dated() -> None:
    assert new_post_path("A b", WHEN, Path("posts")) == Path("posts/2026-11-22-a-b.md")


def test_parse_tags() -> None:
    assert parse_tags(" a, b ,,c ") == ["a", "b", "c"]
    assert parse_tags(None) == []


@pytest.mark.parametrize("port", ["0", "65536", "abc", "-1", ""])
def test_parse_port_rejects(port: str) -> None:
    with pytest.raises(TaskError, match="--port"):
        parse_port(port)


def test_parse_port_accepts() -> None:
    assert parse_port("8000") == 8000
    assert parse_port(5500) == 5500


def test_pelican_command_passes_config_and_data_as_settings() -> None:
    command = pelican_command(BuildOptions(config="my.yml", data="elsewhere"))
    assert command[:3] == [sys.executable, "-m", "pelican"]
    index = command.index("--extra-settings")
    assert command[index + 1] == f'COMMUNITY_METRICS_CONFIG="{ROOT / "my.yml"}"'
    assert command[index + 2] == f'COMMUNITY_METRICS_DATA="{ROOT / "elsewhere"}"'
    assert "--fatal" not in command


def test_pelican_command_for_publish() -> None:
    options = BuildOptions(settings=site_tasks.PUBLISH_SETTINGS, fatal_warnings=True)
    command = pelican_command(options)
    assert command[command.index("--settings") + 1].endswith("publishconf.py")
    assert command[command.index("--fatal") + 1] == "warnings"
    assert "--extra-settings" not in command


def test_check_build_options(tmp_path: Path) -> None:
    (tmp_path / "reg.yml").write_text("communities: []\n", encoding="utf-8")
    (tmp_path / "data").mkdir()
    check_build_options("reg.yml", "data", tmp_path)
    check_build_options(None, None, tmp_path)
    with pytest.raises(TaskError, match="--config missing.yml: no such file"):
        check_build_options("missing.yml", None, tmp_path)
    with pytest.raises(TaskError, match="--data nowhere: no such directory"):
        check_build_options(None, "nowhere", tmp_path)


def test_serve_binds_loopback_only() -> None:
    command = serve_command(8123, Path("/x/output"))
    assert command[command.index("--bind") + 1] == "127.0.0.1"
    assert "8123" in command


def test_ghp_import_writes_nojekyll_and_pushes_only_with_a_remote() -> None:
    with_remote = ghp_import_command(Path("out"), "gh-pages", "origin", "msg")
    assert "--no-jekyll" in with_remote and "--push" in with_remote
    assert with_remote[with_remote.index("--remote") + 1] == "origin"
    without = ghp_import_command(Path("out"), "gh-pages", None, "msg")
    assert "--push" not in without and without[-1] == "out"


def test_livereload_watches_content_theme_plugins_data_and_registry(tmp_path: Path) -> None:
    for name in ("content", "theme", "plugins", "data"):
        (tmp_path / name).mkdir()
    (tmp_path / "communities.yml").write_text("", encoding="utf-8")
    names = {path.name for path in watched_paths(tmp_path)}
    assert {"content", "theme", "plugins", "data", "communities.yml"} <= names


def test_clean_removes_output(tmp_path: Path) -> None:
    output = tmp_path / "output"
    (output / "x").mkdir(parents=True)
    assert site_tasks.clean(output) is True
    assert not output.exists()
    assert site_tasks.clean(output) is False


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["new-post", "???"], "needs at least one letter"),
        (["new-post"], "did not receive required positional arguments: 'title'"),
        (["serve", "--port", "abc"], "--port must be a number"),
        (["livereload", "--port", "70000"], "--port must be a number"),
        (["build", "--config", "no-such-registry.yml"], "no such file"),
        (["build", "--data", "no-such-folder"], "no such directory"),
    ],
)
def test_bad_task_arguments_print_a_message_not_a_traceback(argv: list[str], expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "invoke", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert expected in output
    assert "Traceback" not in output


def test_new_post_refuses_a_category_that_is_not_configured(tmp_path: Path) -> None:
    allowed = site_tasks.configured_categories()
    assert allowed == ["Measurement", "Methods", "Project"]  # pelicanconf.py PULSE_CATEGORIES
    with pytest.raises(site_tasks.TaskError) as error:
        write_new_post("A post", WHEN, tmp_path, "Measurment", allowed_categories=allowed)
    assert "Measurement, Methods, Project" in str(error.value)
    assert not list(tmp_path.iterdir())
    assert write_new_post("A post", WHEN, tmp_path, "Methods", allowed_categories=allowed)


def test_the_new_post_template_carries_the_placeholders_the_build_reports(tmp_path: Path) -> None:
    from pulse_site.frontmatter import placeholder_lines

    path = write_new_post("Draft", WHEN, tmp_path)
    assert [number for number, _ in placeholder_lines(path)] == [6, 8]
