"""The publishing half of `invoke publish`: ghp-import commits output/ to gh-pages with a
.nojekyll, in a throwaway git repository (no remote, so nothing is pushed)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from site_tasks import PUBLISH_SETTINGS, BuildOptions, ghp_import_command, pelican_command


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, timeout=60
    ).stdout


def test_ghp_import_commits_the_site_with_nojekyll(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "ci@example.org")
    _git(repo, "config", "user.name", "CI")
    (repo / "README.md").write_text("x\n", encoding="utf-8")
    _git(repo, "add", "README.md")
    _git(repo, "commit", "-q", "-m", "init")
    output = repo / "output"
    (output / "posts" / "a").mkdir(parents=True)
    (output / "index.html").write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
    (output / "posts" / "a" / "index.html").write_text("<p>a</p>", encoding="utf-8")

    command = ghp_import_command(output, "gh-pages", None, "Publish site (test)")
    subprocess.run(command, cwd=repo, check=True, capture_output=True, timeout=60)

    files = set(_git(repo, "ls-tree", "-r", "--name-only", "gh-pages").split())
    assert files == {".nojekyll", "index.html", "posts/a/index.html"}
    assert "Publish site (test)" in _git(repo, "log", "-1", "--format=%s", "gh-pages")
    assert _git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_publish_without_fetch_overrides_the_setting() -> None:
    command = pelican_command(
        BuildOptions(settings=PUBLISH_SETTINGS, fatal_warnings=True, fetch=False)
    )
    override = command[command.index("--extra-settings") + 1]
    key, value = override.split("=", 1)
    assert key == "COMMUNITY_METRICS_FETCH" and json.loads(value) is False
