"""The nightly job's own steps, in order, on this machine: .github/workflows/nightly.yml played
job by job (actions_runner) against the replay cassette, a temporary git repository and a bare
remote standing in for GitHub."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from pipeline_helpers import BOT, CASSETTE, NIGHTLY_JOBS, REGISTRY, git
from pipeline_helpers import make_project as _make_project
from pipeline_helpers import require_fixtures as _require

pytestmark = pytest.mark.slow

TODAY = datetime.now(UTC).strftime("%Y-%m-%d")
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")


@pytest.fixture
def fixtures() -> None:
    _require()


def make_project(tmp: Path, **options):
    """The project, its runs dated TODAY (as if plan ran today, even across midnight UTC)."""
    options.setdefault("SNAPSHOT_DATE", TODAY)
    return _make_project(tmp, **options)


def day_file(date: str) -> str:
    return f"data/snapshots/{date[:4]}/{date}.json"


def committed_snapshot(project, date: str) -> dict:
    return json.loads(git(project.remote, "show", f"main:{day_file(date)}"))


def values(snapshot: dict) -> dict:
    """What a run observed, without the moments it observed them."""
    return {
        (o["community"], o["source"]): (o["status"], o["metrics"], o.get("created_at"))
        for o in snapshot["observations"]
    }


def run_nightly(project, *, jobs=NIGHTLY_JOBS, **options):
    runner = project.runner(**options)
    runner.run(jobs)
    return runner


def broken_cassette(tmp_path: Path, *, keep: int) -> Path:
    """The registry's cassette with every answer after the first ``keep`` requests turned into
    a 404 (a renamed or deleted community): those sources fail, the others answer."""
    data = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    for index, interaction in enumerate(data["interactions"]):
        if index >= keep:
            interaction["response"]["status"] = {"code": 404, "message": "Not Found"}
            interaction["response"]["body"] = {"string": '{"message": "Not Found"}'}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def foreign_cassette(tmp_path: Path) -> Path:
    """A cassette that answers none of the registry's requests: every source fails."""
    data = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    interaction = data["interactions"][0]
    interaction["request"]["uri"] = "https://unrelated.example.org/nothing.json"
    data["interactions"] = [interaction]
    path = tmp_path / "foreign.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_nightly_commits_as_the_bot_once_and_builds_the_site(fixtures, tmp_path):
    project = make_project(tmp_path)
    before = project.commits()

    first = run_nightly(project)
    assert first.results == {n: "success" for n in NIGHTLY_JOBS}, first.failure_report()

    # one new commit on main, by the bot, touching only today's snapshot
    commits = project.commits()
    assert len(commits) == len(before) + 1
    author = git(project.remote, "log", "-1", "--format=%an|%ae|%cn|%ce", "main").split("|")
    assert author == [BOT[0], BOT[1], BOT[0], BOT[1]]
    subject = git(project.remote, "log", "-1", "--format=%s", "main")
    assert subject.startswith(f"data: snapshot {TODAY} (") and " ok" in subject
    changed = git(project.remote, "show", "--name-only", "--format=", "main").splitlines()
    assert changed == [day_file(TODAY)]
    snapshot = committed_snapshot(project, TODAY)
    assert snapshot["date"] == TODAY and snapshot["synthetic"] is False
    assert any(o["status"] == "ok" for o in snapshot["observations"])

    # the site was built from that commit, with the Pages URL, and the artifact keeps .nojekyll
    assert first.outputs["record"]["sha"] == commits[0]
    with tarfile.open(first.pages_tar) as tar:
        names = set(tar.getnames())
        index = tar.extractfile("./index.html").read().decode("utf-8")
    assert {"./index.html", "./dashboard/index.html", "./.nojekyll"} <= names
    assert any(n.startswith("./communities/") and n.endswith("/index.html") for n in names)
    assert first.pages_base_url in index
    assert first.deployed
    summary = "\n".join(first.summaries)
    assert f"Community Pulse snapshot — {TODAY}" in summary
    # no secret was set: a warning names the variable, the run is still green
    assert "`GITHUB_TOKEN`: " in summary and "github:python/cpython" in summary
    assert "::warning title=Token not set::GITHUB_TOKEN is not set" in first.log_text()

    # the same day again, with the same answers: nothing to commit, still deployed
    second = run_nightly(project)
    assert second.results == {n: "success" for n in NIGHTLY_JOBS}, second.failure_report()
    assert project.commits() == commits
    assert "No data changed" in "\n".join(second.summaries)
    assert second.outputs["record"]["sha"] == commits[0]


def test_failed_and_stale_sources_are_listed_and_do_not_block_the_deploy(fixtures, tmp_path):
    project = make_project(tmp_path)
    # yesterday's run: every source answered
    runner_env = dict(project.env, SNAPSHOT_DATE=YESTERDAY)
    yesterday = project.runner(base_env=runner_env)
    yesterday.run(["plan", "collect", "record"])
    assert yesterday.results["record"] == "success", yesterday.failure_report()

    # today most sources answer 404
    project.env["COMMUNITY_METRICS_REPLAY"] = str(broken_cassette(tmp_path, keep=1))
    today = run_nightly(project)
    assert today.results == {n: "success" for n in NIGHTLY_JOBS}, today.failure_report()
    snapshot = committed_snapshot(project, TODAY)
    statuses = {o["status"] for o in snapshot["observations"]}
    assert "stale" in statuses  # carried from yesterday, not dropped, not zero
    summary = "\n".join(today.summaries)
    assert "Sources that need attention" in summary
    for observation in snapshot["observations"]:
        if observation["status"] in ("stale", "error"):
            assert observation["source"] in summary
            assert "404" in summary
    stale = [o for o in snapshot["observations"] if o["status"] == "stale"]
    earlier = values(committed_snapshot(project, YESTERDAY))
    for observation in stale:
        key = (observation["community"], observation["source"])
        assert observation["metrics"] == earlier[key][1]
    assert today.deployed


def test_every_source_failing_fails_the_job_commits_nothing_and_keeps_the_site(fixtures, tmp_path):
    project = make_project(tmp_path, cassette=foreign_cassette(tmp_path))
    before = project.commits()
    runner = run_nightly(project)
    assert runner.results["collect"] == "failure"
    assert runner.results["record"] == "skipped"
    assert runner.results["build"] == runner.results["deploy"] == "skipped"
    assert not runner.deployed  # the last good site stays up
    assert project.commits() == before
    collect_log = next(log for log in runner.logs if log.name == "Collect snapshot")
    assert collect_log.returncode != 0
    assert "every source failed" in collect_log.stderr
    assert "Every source failed in this run" in "\n".join(runner.summaries)


def test_a_concurrent_push_is_rebased_on(fixtures, tmp_path):
    project = make_project(tmp_path)
    pushed = []

    def someone_pushes(job: str, step: dict, folder: Path) -> None:
        if job == "record" and "nightly.py commit" in step.get("run", "") and not pushed:
            other = project.clone("maintainer")
            (other / "content" / "posts" / "concurrent-post.md").write_text(
                "Title: Concurrent\nDate: 2026-01-01\nCategory: Project\n\nA post.\n"
            )
            git(other, "add", "content/posts/concurrent-post.md")
            env = ["-c", "user.name=Maintainer", "-c", "user.email=m@example.org"]
            git(other, *env, "commit", "--quiet", "-m", "a post pushed meanwhile")
            git(other, "push", "--quiet", "origin", "main")
            pushed.append(git(other, "rev-parse", "HEAD"))

    runner = run_nightly(project, jobs=["plan", "collect", "record"], before_step=someone_pushes)
    assert runner.results["record"] == "success", runner.failure_report()
    log = git(project.remote, "log", "--format=%an %s", "main").splitlines()
    assert log[0].startswith(f"{BOT[0]} data: snapshot {TODAY}")
    assert log[1] == "Maintainer a post pushed meanwhile"
    assert git(project.remote, "rev-parse", "main~1") == pushed[0]
    assert "push rejected" in runner.log_text()


def test_shards_and_merge_give_the_observations_of_one_full_run(fixtures, tmp_path):
    single = make_project(tmp_path / "single")
    full = run_nightly(single, jobs=["plan", "collect", "record"])
    assert full.results["record"] == "success", full.failure_report()

    sharded = make_project(tmp_path / "sharded")
    sources = len(yaml.safe_load(REGISTRY.read_text())["communities"])  # at least one each
    runner = sharded.runner(variables={"COMMUNITY_METRICS_SHARD_THRESHOLD": "1"})
    runner.run(["plan", "collect", "record"])
    assert runner.results["record"] == "success", runner.failure_report()
    shards = json.loads(runner.outputs["plan"]["shards"])
    assert len(shards) >= 2 and runner.outputs["plan"]["fanout"] == "true"
    assert len([d for d in runner.job_dirs if "-collect-" in d.name]) == len(shards)
    assert sources >= 1

    merged = committed_snapshot(sharded, TODAY)
    whole = committed_snapshot(single, TODAY)
    assert values(merged) == values(whole)
    # partial files are working files: never committed
    tracked = git(sharded.remote, "ls-tree", "-r", "--name-only", "main").splitlines()
    assert not [t for t in tracked if "partials" in t]


def test_a_missing_registry_fails_plan_with_file_and_reason(fixtures, tmp_path):
    project = make_project(tmp_path)
    broken = project.clone("breaker")
    (broken / "communities.yml").write_text("communities:\n  - slug: Not A Slug\n")
    git(broken, "-c", "user.name=M", "-c", "user.email=m@e.org", "commit", "-qam", "break it")
    git(broken, "push", "--quiet", "origin", "main")
    runner = run_nightly(project)
    assert runner.results["plan"] == "failure"
    assert all(runner.results[j] == "skipped" for j in NIGHTLY_JOBS[1:])
    assert "communities.yml:2" in runner.logs[-1].stderr
    assert "Traceback" not in runner.logs[-1].stderr


def test_check_registry_reports_problems_with_line_numbers(tmp_path):
    bad = tmp_path / "communities.yml"
    bad.write_text(
        "communities:\n  - slug: ok\n    name: OK\n    sources:\n      - platform: nope\n"
    )
    answer = subprocess.run(
        [sys.executable, "scripts/nightly.py", "check-registry", str(bad)],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True,
    )  # fmt: skip
    assert answer.returncode == 1
    assert f"{bad}:5" in answer.stderr and "Traceback" not in answer.stderr


def test_a_registry_without_sources_yet_commits_nothing_and_still_deploys(fixtures, tmp_path):
    """A fresh copy of the template whose registry lists no community: the run succeeds, writes
    no empty snapshot, and the site (built from demo/) is deployed."""
    empty = tmp_path / "empty.yml"
    empty.write_text("communities: []\n")
    project = make_project(tmp_path, registry=empty)
    before = project.commits()
    runner = run_nightly(project)
    assert runner.results == {n: "success" for n in NIGHTLY_JOBS}, runner.failure_report()
    assert project.commits() == before
    assert runner.deployed


def test_a_conflicting_push_of_the_same_day_fails_clearly_and_loses_nothing(fixtures, tmp_path):
    """Someone pushed a different file for the same day meanwhile: the rebase cannot apply, the
    step says so, and the remote keeps their commit (nothing is forced over it)."""
    project = make_project(tmp_path)
    theirs = []

    def conflicting_push(job: str, step: dict, folder: Path) -> None:
        if job == "record" and "nightly.py commit" in step.get("run", "") and not theirs:
            other = project.clone("backfill")
            path = other / day_file(TODAY)
            path.parent.mkdir(parents=True, exist_ok=True)
            mine = json.loads((folder / day_file(TODAY)).read_text())
            mine["observations"] = mine["observations"][:1]
            path.write_text(json.dumps(mine, indent=2) + "\n")
            git(other, "add", day_file(TODAY))
            env = ["-c", "user.name=Maintainer", "-c", "user.email=m@example.org"]
            git(other, *env, "commit", "--quiet", "-m", "hand-made day file")
            git(other, "push", "--quiet", "origin", "main")
            theirs.append(git(other, "rev-parse", "HEAD"))

    runner = run_nightly(project, before_step=conflicting_push)
    assert runner.results["record"] == "failure"
    assert runner.results["build"] == "skipped" and not runner.deployed
    assert project.head() == theirs[0]
    commit_log = runner.logs[-1]
    assert "cannot rebase the snapshot commit" in commit_log.stderr
    assert "Traceback" not in commit_log.stderr
