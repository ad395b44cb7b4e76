"""A canary token in the environment goes out in the Authorization header and nowhere else: not
in any file the collector writes (snapshot, partial, cassette), not in any log line or output."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from collect_helpers import GITHUB_REPO, github, registry
from pytest_httpserver import HTTPServer

from community_metrics.collect.command import run_snapshot

CANARY = "canary-5ecr3t-7f3a9c21d0"


def every_file(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_canary_token_never_leaks(tmp_path, server: HTTPServer, monkeypatch, caplog) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", CANARY)
    bearer = {"Authorization": f"Bearer {CANARY}"}
    server.expect_request("/api/repos/good/repo", headers=bearer).respond_with_json(GITHUB_REPO)
    server.expect_request("/api/repos/good/repo/contributors", headers=bearer).respond_with_data(
        f'{{"message": "Bad credentials", "echo": "{CANARY}"}}', 401
    )
    server.expect_request("/api/repos/bad/repo", headers=bearer).respond_with_data(
        '{"message": "Bad credentials"}', 401
    )
    server.expect_request("/api/repos/moved/repo").respond_with_data(
        "", 302, headers={"Location": f"http://127.0.0.2:{server.port}/elsewhere"}
    )
    config = registry(
        tmp_path / "c.yml",
        [
            ("good", github(server.url_for("/api"), "good/repo")),
            ("bad", github(server.url_for("/api"), "bad/repo")),
            ("moved", github(server.url_for("/api"), "moved/repo")),
        ],
    )
    out, err = io.StringIO(), io.StringIO()
    caplog.set_level(logging.DEBUG)
    written = tmp_path / "written"
    for options in ({"record": written / "run.yaml"}, {"shard": "1/2"}, {"shard": "2/2"}):
        run_snapshot(
            config=config, data=written / "data", date="2026-11-21", out=out, err=err,
            http_options={"backoff": 0.01, "sleep": lambda s: None}, **options,
        )  # fmt: skip
    run_snapshot(data=written / "data", date="2026-11-21", merge=True, out=out, err=err)

    files = every_file(written)
    assert any(p.suffix == ".yaml" for p in files) and any("partials" in str(p) for p in files)
    assert any(p.name == "2026-11-21.json" for p in files)
    for path in files:
        assert CANARY.encode() not in path.read_bytes(), f"token leaked into {path}"
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
    assert caplog.records, "expected the collector to log failures"
    assert CANARY not in logged
    assert CANARY not in out.getvalue() + err.getvalue()
    assert "$GITHUB_TOKEN" in out.getvalue()  # the variable is named instead
    # the token did go out where it belongs
    assert any(
        request.headers.get("Authorization") == f"Bearer {CANARY}" for request, _ in server.log
    )


def test_token_in_query_is_scrubbed_from_urllib3_debug_lines(
    server: HTTPServer, monkeypatch, caplog
) -> None:
    from community_metrics.collect.http import Auth, HttpClient

    monkeypatch.setenv("PULSE_SE_KEY", CANARY)
    server.expect_request("/2.3/info").respond_with_json({"items": []})
    caplog.set_level(logging.DEBUG)
    with HttpClient() as http:
        answer = http.get(server.url_for("/2.3/info"), auth=Auth("PULSE_SE_KEY", param="key"))
    assert answer.url.endswith("/2.3/info?key=***")  # a source may store it as its endpoint
    # werkzeug's lines are the test server's own access log, not ours
    lines = [r.getMessage() for r in caplog.records if r.name != "werkzeug"]
    assert any("/2.3/info?key=***" in line for line in lines)
    assert not any(CANARY in line for line in lines)
