"""Play the jobs of a GitHub Actions workflow on this machine, the way a runner would, for tests.

Every ``run:`` step of the workflow runs as written (``bash --noprofile --norc -eo pipefail``)
with its ``env:`` evaluated, ``$GITHUB_OUTPUT`` and ``$GITHUB_STEP_SUMMARY`` files, and ``python``
the test's interpreter. The few ``uses:`` actions of our workflows are emulated by what they do
to the job's files: checkout clones a bare "remote" repository, the artifact actions copy folders
(leaving hidden files out unless asked, as upload-artifact >= 4.4 and upload-pages-artifact >= 4
do), configure-pages answers a base URL, upload-pages-artifact writes a tar. An action or an
expression this emulation does not know fails the test, so the workflow cannot drift from it.
Each job runs in a fresh folder with a fresh clone, like a fresh runner.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SKIPPED_RUNS = ("python -m pip install",)  # the test's environment is installed already


class WorkflowError(AssertionError):
    pass


def load_workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key "on" as True
        data["on"] = data.pop(True)
    return data


def _lookup(path: str, context: dict) -> Any:
    value: Any = context
    for part in path.split("."):
        if not isinstance(value, dict):
            raise WorkflowError(f"expression {path!r}: {part!r} of a non-object")
        if part not in value:
            return ""  # GitHub gives '' for a missing property
        value = value[part]
    return value


def evaluate(expression: str, context: dict) -> Any:
    """The expressions our workflows use: paths, 'literals', fromJSON(...), a || b."""
    expression = expression.strip()
    if "||" in expression:
        for alternative in expression.split("||"):
            value = evaluate(alternative, context)
            if value not in ("", None, False, 0):
                return value
        return value
    if expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1].replace("''", "'")
    match = re.fullmatch(r"fromJSON\((.*)\)", expression)
    if match:
        return json.loads(str(evaluate(match.group(1), context)))
    if re.fullmatch(r"[A-Za-z_][\w-]*(\.[\w-]+)*", expression):
        return _lookup(expression, context)
    raise WorkflowError(f"expression not understood by the local runner: {expression!r}")


def render(value: Any, context: dict) -> Any:
    if not isinstance(value, str):
        return value
    whole = EXPRESSION.fullmatch(value.strip())
    if whole:
        return evaluate(whole.group(1), context)
    return EXPRESSION.sub(lambda m: str(evaluate(m.group(1), context)), value)


def _visible(relative: Path) -> bool:
    return not any(part.startswith(".") for part in relative.parts)


def copy_tree(source: Path, target: Path, *, hidden: bool) -> int:
    count = 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and (hidden or _visible(relative)):
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / relative)
            count += 1
    return count


@dataclass
class StepLog:
    job: str
    name: str
    returncode: int
    stdout: str
    stderr: str


@dataclass
class LocalRunner:
    workflow: dict
    remote: Path  # a bare git repository playing the GitHub repository
    workspace: Path  # where jobs run and artifacts are kept
    secrets: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    base_env: dict[str, str] = field(default_factory=dict)
    pages_base_url: str = "https://pulse-tester.github.io/community-pulse"
    before_step: Callable[[str, dict, Path], None] | None = None
    outputs: dict[str, dict] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)
    logs: list[StepLog] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    job_dirs: list[Path] = field(default_factory=list)
    pages_tar: Path | None = None
    deployed: bool = False

    # --- the workflow ----------------------------------------------------------------------

    def run(self, jobs: list[str]) -> dict[str, str]:
        """Run ``jobs`` in order; a job whose ``needs`` did not all succeed is skipped."""
        for name in jobs:
            job = self.workflow["jobs"][name]
            needs = job.get("needs", [])
            needs = [needs] if isinstance(needs, str) else needs
            if "if" in job:
                raise WorkflowError(f"job {name}: 'if:' is not emulated")
            if any(self.results.get(n) != "success" for n in needs):
                self.results[name] = "skipped"
                continue
            self.results[name] = self._run_matrix(name, job, needs)
        return self.results

    def _context(self, needs: list[str]) -> dict:
        return {
            "needs": {
                n: {"outputs": self.outputs.get(n, {}), "result": self.results[n]} for n in needs
            },
            "secrets": dict(self.secrets),
            "vars": dict(self.variables),
            "github": {"repository": "pulse-tester/community-pulse", "ref_name": "main",
                       "token": self.secrets.get("GITHUB_TOKEN", ""), "workflow": "nightly"},
            "steps": {},
            "matrix": {},
            "strategy": {"job-index": 0},
            "env": {},
        }  # fmt: skip

    def _run_matrix(self, name: str, job: dict, needs: list[str]) -> str:
        matrix = (job.get("strategy") or {}).get("matrix")
        if not matrix:
            return self._run_job(name, job, self._context(needs), index=0)
        context = self._context(needs)
        (key, spec), *rest = matrix.items()
        if rest:
            raise WorkflowError(f"job {name}: only one matrix key is emulated")
        values = render(spec, context)
        if not isinstance(values, list) or not values:
            raise WorkflowError(f"job {name}: matrix {key} is not a non-empty list: {values!r}")
        results = []
        for index, value in enumerate(values):
            context = self._context(needs)
            context["matrix"] = {key: value}
            context["strategy"] = {"job-index": index}
            results.append(self._run_job(name, job, context, index=index))
        return "success" if all(r == "success" for r in results) else "failure"

    def _run_job(self, name: str, job: dict, context: dict, *, index: int) -> str:
        folder = self.workspace / f"job-{len(self.job_dirs):02d}-{name}-{index}"
        self.job_dirs.append(folder)
        env = {str(k): str(render(v, context)) for k, v in (self.workflow.get("env") or {}).items()}
        env.update({str(k): str(render(v, context)) for k, v in (job.get("env") or {}).items()})
        context["env"] = env
        for number, step in enumerate(job["steps"]):
            if self.before_step:
                self.before_step(name, step, folder)
            ok = self._run_step(name, step, number, folder, context, env)
            if not ok:
                return "failure"
        declared = job.get("outputs") or {}
        self.outputs[name] = {k: str(render(v, context)) for k, v in declared.items()}
        return "success"

    # --- steps -------------------------------------------------------------------------------

    def _run_step(self, job: str, step: dict, number: int, folder: Path, context: dict,
                  job_env: dict[str, str]) -> bool:  # fmt: skip
        step_id = step.get("id", f"step{number}")
        outputs: dict[str, str] = {}
        if "uses" in step:
            with_ = {k: render(v, context) for k, v in (step.get("with") or {}).items()}
            ok = self._use(str(step["uses"]), with_, folder, outputs)
        else:
            ok = self._shell(job, step, number, folder, context, job_env, outputs)
        context["steps"][step_id] = {"outputs": outputs, "outcome": "success" if ok else "failure"}
        return ok

    def _shell(self, job: str, step: dict, number: int, folder: Path, context: dict,
               job_env: dict[str, str], outputs: dict[str, str]) -> bool:  # fmt: skip
        script = step["run"]
        if script.strip().startswith(SKIPPED_RUNS):
            return True
        folder.mkdir(parents=True, exist_ok=True)
        files = folder.parent / f"{folder.name}.step{number}"
        files.mkdir(parents=True, exist_ok=True)
        output_file, summary_file = files / "output", files / "summary"
        output_file.touch()
        summary_file.touch()
        env = dict(self.base_env)
        env.update(job_env)
        env.update({str(k): str(render(v, context)) for k, v in (step.get("env") or {}).items()})
        env.update(
            GITHUB_OUTPUT=str(output_file),
            GITHUB_STEP_SUMMARY=str(summary_file),
            GITHUB_WORKSPACE=str(folder),
            GITHUB_REF_NAME="main",
            GITHUB_REPOSITORY="pulse-tester/community-pulse",
            GITHUB_ACTIONS="true",
            CI="true",
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        )
        answer = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=folder, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        self.logs.append(StepLog(job, step.get("name", script), answer.returncode,
                                 answer.stdout, answer.stderr))  # fmt: skip
        self.summaries.append(summary_file.read_text(encoding="utf-8"))
        for line in output_file.read_text(encoding="utf-8").splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                outputs[key] = value
        return answer.returncode == 0

    def _use(self, uses: str, with_: dict, folder: Path, outputs: dict[str, str]) -> bool:
        action = uses.split("@", 1)[0]
        artifacts = self.workspace / "artifacts"
        if action == "actions/checkout":
            subprocess.run(["git", "clone", "--quiet", str(self.remote), str(folder)], check=True)
            if with_.get("ref"):
                subprocess.run(["git", "checkout", "--quiet", with_["ref"]], cwd=folder, check=True)
            return True
        if action == "actions/setup-python":
            return True
        if action == "actions/upload-artifact":
            source = folder / with_["path"]
            target = artifacts / with_["name"]
            copied = copy_tree(source, target, hidden=bool(with_.get("include-hidden-files")))
            return copied > 0 or with_.get("if-no-files-found") != "error"
        if action == "actions/download-artifact":
            target = folder / with_["path"]
            for found in sorted(artifacts.iterdir()) if artifacts.is_dir() else []:
                if fnmatch.fnmatch(found.name, with_.get("pattern", with_.get("name", "*"))):
                    where = target if with_.get("merge-multiple") else target / found.name
                    copy_tree(found, where, hidden=True)
            return True
        if action == "actions/configure-pages":
            outputs["base_url"] = self.pages_base_url
            outputs["base_path"] = "/" + self.pages_base_url.split("/", 3)[-1]
            return True
        if action == "actions/upload-pages-artifact":
            source = folder / with_["path"]
            self.pages_tar = self.workspace / "github-pages.tar"
            keep_hidden = bool(with_.get("include-hidden-files"))
            with tarfile.open(self.pages_tar, "w") as tar:
                for path in sorted(source.rglob("*")):
                    relative = path.relative_to(source)
                    if path.is_file() and (keep_hidden or _visible(relative)):
                        tar.add(path, arcname=f"./{relative.as_posix()}")
            return True
        if action == "actions/deploy-pages":
            self.deployed = True
            outputs["page_url"] = self.pages_base_url + "/"
            return True
        raise WorkflowError(f"the local runner does not emulate {uses}")

    # --- for assertions ----------------------------------------------------------------------

    def log_text(self) -> str:
        return "\n".join(f"{log.stdout}\n{log.stderr}" for log in self.logs)

    def failure_report(self) -> str:
        lines = [f"results: {self.results}"]
        for log in self.logs:
            lines.append(f"--- {log.job} / {log.name} -> {log.returncode}")
            lines.append(log.stdout[-3000:])
            lines.append(log.stderr[-3000:])
        return "\n".join(lines)
