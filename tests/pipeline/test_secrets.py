"""Tokens never leave the environment: canary tokens set for a full collect-and-build run appear
in no file under data/, output/, the cache or the artifacts, in no commit, and in no log line."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import tarfile
from pathlib import Path
from uuid import uuid4

import pytest
import yaml
from pipeline_helpers import NIGHTLY_JOBS, REGISTRY, ROOT, make_project, require_fixtures
from werkzeug import Response

from tests.conftest import build_site

TOKEN_VARIABLES = (
    "GITHUB_TOKEN",
    "STACKEXCHANGE_KEY",
    "MATRIX_TOKEN",
    "GITLAB_TOKEN",
    "YOUTUBE_API_KEY",
    "TELEGRAM_BOT_TOKEN",
    "SLACK_BOT_TOKEN",
    "ZULIP_API_KEY",
)


@pytest.fixture
def canaries() -> dict[str, str]:
    return {name: f"canary{name.lower().replace('_', '')}{uuid4().hex}" for name in TOKEN_VARIABLES}


def leaks(canaries: dict[str, str], blob: bytes | str, where: str) -> list[str]:
    data = blob.encode("utf-8", "replace") if isinstance(blob, str) else blob
    return [f"{name} in {where}" for name, value in canaries.items() if value.encode() in data]


def scan_tree(canaries: dict[str, str], folder: Path) -> list[str]:
    found: list[str] = []
    for path in folder.rglob("*"):
        if path.is_file() and ".git/objects" not in path.as_posix():
            found += leaks(canaries, path.read_bytes(), str(path))
        if path.suffix == ".tar":
            with tarfile.open(path) as tar:
                for member in tar.getmembers():
                    if member.isfile():
                        data = tar.extractfile(member).read()
                        found += leaks(canaries, data, f"{path}:{member.name}")
    return found


def registry_using_every_token(tmp_path: Path) -> Path:
    """The replay registry with token_env on the sources that take one (GitHub reads
    GITHUB_TOKEN by default; Stack Exchange sends its key in the query string)."""
    data = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    for community in data["communities"]:
        for source in community["sources"]:
            if source["platform"] == "stackexchange":
                source["token_env"] = "STACKEXCHANGE_KEY"
            if source["platform"] == "matrix":
                source["token_env"] = "MATRIX_TOKEN"
    path = tmp_path / "registry-with-tokens.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_no_token_in_files_commits_artifacts_or_logs_of_a_nightly_run(canaries, tmp_path):
    require_fixtures()
    project = make_project(tmp_path, registry=registry_using_every_token(tmp_path), **canaries)
    runner = project.runner(secrets=dict(canaries))
    runner.run(NIGHTLY_JOBS)
    assert runner.results["record"] == "success", runner.failure_report()
    assert runner.results["build"] == "success", runner.failure_report()
    assert runner.pages_tar is not None and runner.pages_tar.exists()

    found = scan_tree(canaries, project.workspace)  # data/, output/, cache/, artifacts, tar
    history = subprocess.run(
        ["git", "log", "--all", "-p", "--format=%an %ae %s%n%b"],
        cwd=project.remote, capture_output=True, check=True,
    ).stdout  # fmt: skip
    found += leaks(canaries, history, "git history")
    found += leaks(canaries, runner.log_text(), "step logs")
    found += leaks(canaries, "\n".join(runner.summaries), "job summaries")
    assert not found, found
    assert "Tokens not set" not in "\n".join(runner.summaries)  # every secret was given
    # the tokens were in play: the Stack Exchange key went into request URLs, scrubbed on the way
    day = next((project.workspace / "run-1").glob("job-*-record-0/data/snapshots/*/*.json"))
    endpoints = [
        o["endpoint"] or ""
        for o in json.loads(day.read_text())["observations"]
        if o["platform"] == "stackexchange"
    ]
    assert endpoints and all("key=" in endpoint for endpoint in endpoints), endpoints


def test_a_token_sent_and_echoed_back_by_an_api_leaks_nowhere(
    canaries, tmp_path, httpserver, monkeypatch, caplog, capsys
):
    """The token really goes out (the server sees it); an API that echoes it in an error,
    an HTML page or a header must not put it into the snapshot, the cassette, the site or logs."""
    token = canaries["GITHUB_TOKEN"]
    for name, value in canaries.items():
        monkeypatch.setenv(name, value)
    seen: list[str] = []
    repo = json.loads((ROOT / "tests/collect/sources/fixtures/github/repo.json").read_text())

    def repository(request):
        seen.append(request.headers.get("Authorization", ""))
        return Response(
            json.dumps(repo), 200, {"Content-Type": "application/json", "X-Echo": f"Bearer {token}"}
        )

    def contributors(request):
        seen.append(request.headers.get("Authorization", ""))
        body = json.dumps({"message": f"Bad credentials: {request.headers.get('Authorization')}"})
        return Response(body, 401, {"Content-Type": "application/json"})

    def organisation(request):
        page = f"<html><body>Token {token} is not allowed</body></html>"
        return Response(page, 502, {"Content-Type": "text/html"})

    httpserver.expect_request("/repos/octo/pulse").respond_with_handler(repository)
    httpserver.expect_request("/repos/octo/pulse/contributors").respond_with_handler(contributors)
    httpserver.expect_request("/orgs/octo").respond_with_handler(organisation)
    api = httpserver.url_for("").rstrip("/")
    registry = tmp_path / "communities.yml"
    registry.write_text(
        "communities:\n"
        "  - slug: octo\n    name: Octo\n    sources:\n"
        f"      - platform: github\n        repo: octo/pulse\n        api: {api}\n"
        f"      - platform: github\n        org: octo\n        api: {api}\n"
    )
    data, output, cache = tmp_path / "data", tmp_path / "output", tmp_path / "cache"
    caplog.set_level(logging.DEBUG)
    from community_metrics.collect.command import run_snapshot

    out, err = io.StringIO(), io.StringIO()
    status = run_snapshot(
        config=registry, data=data, record=cache / "recorded.yaml", out=out, err=err,
        http_options={"retries": 0, "backoff": 0.0},
    )  # fmt: skip
    assert status == 0, out.getvalue() + err.getvalue()
    assert any(token in header for header in seen), "the token was never sent"
    build_site(
        output,
        COMMUNITY_METRICS_CONFIG=str(registry),
        COMMUNITY_METRICS_DATA=str(data),
        CACHE_PATH=str(cache / "pelican"),
    )
    assert (output / "index.html").exists()
    assert (cache / "recorded.yaml").exists()

    found = []
    for folder in (data, output, cache):
        found += scan_tree(canaries, folder)
    captured = capsys.readouterr()
    found += leaks(canaries, out.getvalue() + err.getvalue(), "command output")
    found += leaks(canaries, captured.out + captured.err, "stdout/stderr")
    found += leaks(canaries, caplog.text, "log records")
    found += leaks(canaries, " ".join(str(r.args) for r in caplog.records), "log arguments")
    assert not found, found
    # and the failures are still explained, without the token
    snapshot = json.loads(next(data.rglob("*.json")).read_text())
    errors = " ".join(o["error"] or "" for o in snapshot["observations"])
    assert "GITHUB_TOKEN" in errors or "401" in errors
