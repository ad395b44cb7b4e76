"""Demo and registry never confused: every build says which history it used, and while data/
holds no snapshot, that the registry's communities are not collected yet and how to collect
them. Local builds start from a clean output/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dashboard_helpers import FIXTURES, build

REGISTRY = """communities:
  - slug: alpha
    name: Alpha
    sources:
      - platform: discourse
        host: forum.alpha.example
  - slug: beta
    name: Beta
    sources:
      - platform: github
        repo: beta/beta
  - slug: gamma
    name: Gamma
    sources:
      - platform: mastodon
        instance: gamma.example
"""


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A demo folder as `invoke demo` writes it: a registry beside its snapshots."""
    folder = tmp_path / "demo"
    shutil.copytree(FIXTURES / "data" / "snapshots", folder / "snapshots")
    shutil.copy(FIXTURES / "communities.yml", folder / "communities.yml")
    return folder


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "communities.yml"
    path.write_text(REGISTRY, encoding="utf-8")
    return path


def test_demo_build_says_the_registry_is_not_collected_yet(
    tmp_path: Path, demo: Path, registry: Path, capsys: pytest.CaptureFixture
) -> None:
    empty = tmp_path / "data"
    (empty / "benchmarks").mkdir(parents=True)
    build(
        tmp_path / "out",
        COMMUNITY_METRICS_DATA=str(empty),
        COMMUNITY_METRICS_CONFIG=str(registry),
        COMMUNITY_METRICS_DEMO=str(demo),
    )
    said = " ".join(capsys.readouterr().err.split())
    assert f"no snapshot in {empty} yet" in said
    assert f"this build used the synthetic DEMO history in {demo}" in said
    assert "2026-10-01 to 2026-11-01" in said
    assert "The 3 communities of communities.yml are not collected yet" in said
    assert "run `invoke snapshot`" in said


def test_demo_build_without_a_registry_says_so(
    tmp_path: Path, demo: Path, capsys: pytest.CaptureFixture
) -> None:
    build(
        tmp_path / "out",
        COMMUNITY_METRICS_DATA=str(tmp_path / "data"),
        COMMUNITY_METRICS_CONFIG=str(tmp_path / "missing.yml"),
        COMMUNITY_METRICS_DEMO=str(demo),
    )
    said = " ".join(capsys.readouterr().err.split())
    assert "synthetic DEMO history" in said
    assert "There is no registry at" in said


def test_real_build_names_the_collected_history(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    build(tmp_path / "out")
    said = " ".join(capsys.readouterr().err.split())
    assert f"built from the collected history in {FIXTURES / 'data'}" in said
    assert "DEMO" not in said


def test_a_rebuild_leaves_no_page_of_a_deleted_post_or_a_demo_community(
    tmp_path: Path, demo: Path, registry: Path
) -> None:
    out = tmp_path / "out"
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "gone.md").write_text(
        "Title: Soon gone\nDate: 2026-11-20 09:00\nCategory: Project\nSummary: x\n\nBody.\n",
        encoding="utf-8",
    )
    # first build: the demo (its communities: python, rust) and a post
    build(
        out,
        PATH=str(tmp_path / "content"),
        COMMUNITY_METRICS_DATA=str(tmp_path / "data"),
        COMMUNITY_METRICS_CONFIG=str(registry),
        COMMUNITY_METRICS_DEMO=str(demo),
    )
    assert (out / "posts" / "soon-gone" / "index.html").exists()
    assert (out / "communities" / "rust" / "index.html").exists()
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="utf-8")

    # the post is deleted and real snapshots arrive (a history that holds python only)
    (posts / "gone.md").unlink()
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data" / "snapshots", data / "snapshots")
    python_only = tmp_path / "python.yml"
    text = (FIXTURES / "communities.yml").read_text(encoding="utf-8")
    python_only.write_text(text[: text.index("  - slug: rust")], encoding="utf-8")
    for day in (data / "snapshots").rglob("*.json"):
        day.write_text(
            day.read_text(encoding="utf-8").replace('"community": "rust"', '"community": "python"'),
            encoding="utf-8",
        )
    build(
        out,
        PATH=str(tmp_path / "content"),
        COMMUNITY_METRICS_DATA=str(data),
        COMMUNITY_METRICS_CONFIG=str(python_only),
        COMMUNITY_METRICS_DEMO=str(demo),
    )
    assert not (out / "posts" / "soon-gone").exists()
    assert not (out / "communities" / "rust").exists()
    assert (out / "communities" / "python" / "index.html").exists()
    assert (out / ".git" / "HEAD").read_text(encoding="utf-8") == "ref: refs/heads/gh-pages\n"


def test_a_broken_backfill_file_is_a_build_warning_not_a_failure(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", data)
    (data / "backfill").mkdir()
    (data / "backfill" / "python--broken.json").write_text("{not json", encoding="utf-8")
    out = build(tmp_path / "out", COMMUNITY_METRICS_DATA=str(data))
    assert "back-fill file left out" in caplog.text and "python--broken.json" in caplog.text
    assert (out / "communities" / "python" / "index.html").exists()
