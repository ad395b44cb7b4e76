"""The GitHub Actions workflows: actionlint (jactionlint, from the test extras) finds nothing, and
the promises of the nightly pipeline hold in the YAML itself."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
NIGHTLY = WORKFLOWS / "nightly.yml"


def linter() -> str:
    beside_python = Path(sys.executable).parent / "jactionlint"
    found = str(beside_python) if beside_python.exists() else shutil.which("jactionlint")
    assert found, "jactionlint is not installed: pip install -e '.[test]'"
    return found


def load(path: Path) -> dict:
    # PyYAML reads the key "on" as True (YAML 1.1); GitHub reads it as "on".
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def test_actionlint_finds_nothing_in_either_workflow():
    command = [linter(), "--no-color", "--strict-exit", str(CI), str(NIGHTLY)]
    if not shutil.which("shellcheck"):
        command.insert(1, "--no-hints")  # run: scripts are still checked when shellcheck exists
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"jactionlint findings:\n{result.stdout}\n{result.stderr}"


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The lint test can fail: a typo in a trigger and a job without timeout are findings."""
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on:\n  push:\n    branch: main\npermissions: {}\njobs:\n  a:\n"
        "    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n"
    )
    result = subprocess.run(
        [linter(), "--no-color", str(broken)], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "branch" in result.stdout


@pytest.mark.parametrize("path", [CI, NIGHTLY], ids=["ci", "nightly"])
def test_every_job_has_a_timeout_and_least_privilege(path):
    workflow = load(path)
    top = workflow.get("permissions")
    assert top is not None, f"{path.name}: set top-level permissions"
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"{path.name}:{name}: no timeout"
        permissions = job.get("permissions", top)
        assert permissions != "write-all", f"{path.name}:{name}: write-all"
        if isinstance(permissions, dict):
            writes = {scope for scope, level in permissions.items() if level == "write"}
            allowed = {"record": {"contents"}, "deploy": {"pages", "id-token"}}
            allowed["keepalive"] = {"actions"}
            assert writes <= allowed.get(name, set()), f"{path.name}:{name}: writes {writes}"


def test_nightly_triggers_concurrency_and_pip_cache():
    workflow = load(NIGHTLY)
    assert "schedule" in workflow["on"] and "workflow_dispatch" in workflow["on"]
    assert workflow["concurrency"]["cancel-in-progress"] is False
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/setup-python@"):
                assert step["with"]["cache"] == "pip", f"{name}: setup-python without pip cache"


def test_ci_runs_on_push_and_pull_request_and_checks_the_registry():
    workflow = load(CI)
    assert "push" in workflow["on"] and "pull_request" in workflow["on"]
    runs = [s.get("run", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert any("check-registry communities.yml" in r for r in runs)
    assert any(r.strip() == "bash .ci/run" for r in runs)
    assert any("ruff check" in r for r in runs) and any("ruff format --check" in r for r in runs)
    assert any("nightly.py build" in r for r in runs)


def test_pages_artifact_keeps_hidden_files_and_site_url_comes_from_pages():
    jobs = load(NIGHTLY)["jobs"]
    steps = jobs["build"]["steps"]
    upload = next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["include-hidden-files"] is True  # .nojekyll
    build = next(s for s in steps if "nightly.py build" in s.get("run", ""))
    assert build["env"]["SITEURL"] == "${{ steps.pages.outputs.base_url }}"
    assert any("configure-pages" in s.get("uses", "") and s.get("id") == "pages" for s in steps)
    assert any("deploy-pages" in s.get("uses", "") for s in jobs["deploy"]["steps"])
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    # the site is built from the commit that the record job pushed, and only after it succeeded
    assert jobs["build"]["needs"] == "record"
    assert "if" not in jobs["build"] and "if" not in jobs["record"]


def test_run_steps_only_call_scripts_and_never_interpolate_expressions():
    """Step logic lives in scripts/nightly.py (so the local test plays it); values reach it
    through env:, never ${{ }} inside a shell line (script injection)."""
    for path in (CI, NIGHTLY):
        for name, job in load(path)["jobs"].items():
            for step in job.get("steps", []):
                script = step.get("run")
                if script is None:
                    continue
                assert "${{" not in script, f"{path.name}:{name}: expression in run: {script}"
                match = re.search(r"scripts/nightly\.py ([a-z-]+)", script)
                if match:
                    assert match.group(1) in NIGHTLY_STEPS, f"unknown step {match.group(1)}"


NIGHTLY_STEPS = {"check-registry", "plan", "collect", "place", "commit", "build"}


def test_every_token_variable_of_the_sources_is_passed_from_secrets():
    from community_metrics.registry.platforms import PLATFORMS as platforms

    wanted = {p.default_token_env for p in platforms.values() if p.default_token_env}
    steps = load(NIGHTLY)["jobs"]["collect"]["steps"]
    collect = next(s for s in steps if "nightly.py collect" in s.get("run", ""))
    for variable in wanted:
        assert variable in collect["env"], f"nightly collect step does not pass ${variable}"
        assert collect["env"][variable] == f"${{{{ secrets.{variable} }}}}"


def test_every_token_env_of_the_registry_is_passed_from_secrets():
    """A token_env named in communities.yml that the nightly job does not pass would silently
    fall back to unauthenticated requests."""
    from community_metrics.registry.config import load_registry

    named = {s.token_env for s in load_registry(ROOT / "communities.yml").sources if s.token_env}
    steps = load(NIGHTLY)["jobs"]["collect"]["steps"]
    collect = next(s for s in steps if "nightly.py collect" in s.get("run", ""))
    for variable in named:
        assert collect["env"].get(variable) == f"${{{{ secrets.{variable} }}}}", variable


def test_every_secret_of_the_secrets_table_is_passed_from_secrets():
    """The README's Secrets table (collect/sources/needs.py) names secrets beyond token_env
    (Reddit's app id and secret): the nightly collect step passes each of them."""
    from community_metrics.collect.sources.needs import NEEDS

    wanted = {name for needs in NEEDS.values() for name in needs.secrets} - {"GITHUB_TOKEN"}
    assert {
        "REDDIT_CLIENT_ID",
        "REDDIT_CLIENT_SECRET",
        "STACKEXCHANGE_KEY",
        "MATRIX_TOKEN",
    } <= wanted
    steps = load(NIGHTLY)["jobs"]["collect"]["steps"]
    collect = next(s for s in steps if "nightly.py collect" in s.get("run", ""))
    for variable in wanted:
        assert collect["env"].get(variable) == f"${{{{ secrets.{variable} }}}}", variable
    assert collect["env"]["GITHUB_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"
