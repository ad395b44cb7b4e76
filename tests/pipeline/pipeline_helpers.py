"""A throwaway copy of the project in a temporary git repository with a bare "GitHub" remote,
collecting from the replay cassette, and the nightly workflow played on it (actions_runner)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from actions_runner import LocalRunner, load_workflow

from community_metrics.registry.platforms import required_tokens

ROOT = Path(__file__).resolve().parents[2]
NIGHTLY = ROOT / ".github" / "workflows" / "nightly.yml"
# PIPELINE_TEST_REGISTRY / PIPELINE_TEST_CASSETTE play the nightly on another recorded registry
REGISTRY = Path(os.environ.get("PIPELINE_TEST_REGISTRY") or ROOT / "tests/fixtures/registry.yml")
CASSETTE = Path(
    os.environ.get("PIPELINE_TEST_CASSETTE") or ROOT / "tests/fixtures/cassettes/registry.yaml"
)
NIGHTLY_JOBS = ["plan", "collect", "record", "build", "deploy"]
BOT = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")

# what a fresh clone holds, less what a build or a run makes
_LEFT_OUT = {
    ".git", ".venv", "output", "test-artifacts", "tests", "node_modules", "cache", "nightly-work",
    ".pytest_cache", ".ruff_cache", ".hypothesis", ".pelican-cache", "__pycache__", "bench.json",
}  # fmt: skip


def require_fixtures() -> None:
    missing = [str(p.relative_to(ROOT)) for p in (REGISTRY, CASSETTE) if not p.is_file()]
    if missing:
        pytest.skip("the replay fixtures of the sources work are missing: " + ", ".join(missing))


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@dataclass
class Project:
    remote: Path
    workspace: Path
    env: dict[str, str]

    def runner(self, **options) -> LocalRunner:
        """A workflow run: its own folder for jobs and artifacts, like a run on GitHub."""
        options.setdefault("base_env", self.env)
        # like a repository with its secrets set: the token sources of the test registry can
        # build their requests (the cassette holds their tokens as ***)
        options.setdefault("secrets", dict(REPLAY_SECRETS))
        runs = sum(1 for p in self.workspace.iterdir() if p.name.startswith("run-"))
        folder = self.workspace / f"run-{runs + 1}"
        folder.mkdir()
        return LocalRunner(load_workflow(NIGHTLY), self.remote, folder, **options)

    def clone(self, name: str) -> Path:
        target = self.workspace / name
        if target.exists():
            shutil.rmtree(target)
        subprocess.run(["git", "clone", "--quiet", str(self.remote), str(target)], check=True)
        return target

    def head(self) -> str:
        return git(self.remote, "rev-parse", "refs/heads/main")

    def commits(self) -> list[str]:
        return git(self.remote, "rev-list", "refs/heads/main").splitlines()


#: variables of this machine never passed to a step: tokens of every platform, git, our settings
TOKEN_PREFIXES = (
    "GITHUB_",
    "GIT_",
    "STACKEXCHANGE",
    "MATRIX_",
    "COMMUNITY_METRICS",
    "GITLAB_",
    "YOUTUBE_",
    "TELEGRAM_",
    "SLACK_",
    "ZULIP_",
)


#: the secrets the token sources of tests/fixtures/registry.yml need in a replayed run
REPLAY_SECRETS = {name: "replay-test-secret" for name in required_tokens()}


def isolated_env(tmp: Path, cassette: Path, **extra: str) -> dict[str, str]:
    """The environment of every step: no real tokens, no git identity or config of this
    machine, any stray request sent to a dead proxy on 127.0.0.1 instead of the internet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(TOKEN_PREFIXES)}
    gitconfig = tmp / "gitconfig"
    gitconfig.write_text("[init]\n\tdefaultBranch = main\n")
    env.update(
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(tmp / "home"),
        COMMUNITY_METRICS_REPLAY=str(cassette),
        NIGHTLY_PUSH_DELAY="0",
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        NO_PROXY="127.0.0.1,localhost",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    (tmp / "home").mkdir(exist_ok=True)
    return env


def make_project(
    tmp: Path, registry: Path = REGISTRY, cassette: Path = CASSETTE, **env: str
) -> Project:
    """Copy the project, with ``registry`` as communities.yml and no snapshot yet, into a git
    repository pushed to a bare remote."""
    seed = tmp / "seed"

    def ignore(folder: str, names: list[str]) -> set[str]:
        left = {n for n in names if n in _LEFT_OUT}
        if Path(folder) == ROOT / "data":
            left |= {"snapshots", "partials"}
        return left

    shutil.copytree(ROOT, seed, ignore=ignore)
    shutil.copyfile(registry, seed / "communities.yml")
    (seed / "data" / "snapshots").mkdir(parents=True, exist_ok=True)
    (seed / "data" / "snapshots" / ".gitkeep").touch()
    environment = isolated_env(tmp, cassette, **env)
    remote = tmp / "remote.git"
    for args, cwd in (
        (["init", "--quiet", "--bare", "-b", "main", str(remote)], tmp),
        (["init", "--quiet", "-b", "main"], seed),
        (["add", "-A"], seed),
        (["-c", "user.name=Maintainer", "-c", "user.email=m@example.org", "commit", "--quiet",
          "-m", "project"], seed),
        (["remote", "add", "origin", str(remote)], seed),
        (["push", "--quiet", "origin", "main"], seed),
    ):  # fmt: skip
        subprocess.run(["git", *args], cwd=cwd, env=environment, check=True, capture_output=True)
    workspace = tmp / "runs"
    workspace.mkdir()
    return Project(remote, workspace, environment)
