"""pelicanconf.py / publishconf.py: what local and production builds are told."""

from __future__ import annotations

import runpy

import pytest

from tests.conftest import ROOT


def _publish_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    monkeypatch.delenv("SITEURL", raising=False)
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(ROOT / "publishconf.py"))


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SITEURL": "https://pulse.example.org/sub/"}, "https://pulse.example.org/sub"),
        ({"GITHUB_REPOSITORY": "Octo/pulse"}, "https://octo.github.io/pulse"),
        ({"GITHUB_REPOSITORY": "octo/Octo.github.io"}, "https://octo.github.io"),
        ({}, "https://community-pulse.github.io/community-pulse"),
    ],
)
def test_publish_siteurl_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, env: dict, expected: str
) -> None:
    settings = _publish_settings(monkeypatch, **env)
    assert settings["SITEURL"] == expected
    assert settings["FEED_DOMAIN"] == expected
    warned = "SITEURL is not set" in capsys.readouterr().err
    assert warned is ("SITEURL" not in env)


def test_publish_switches_on_production_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _publish_settings(monkeypatch, SITEURL="https://pulse.example.org")
    assert settings["RELATIVE_URLS"] is False
    assert settings["DELETE_OUTPUT_DIRECTORY"] is True
    assert settings["FEED_ALL_ATOM"] == "feeds/all.atom.xml"
    assert settings["CATEGORY_FEED_ATOM"] == "feeds/categories/{slug}.atom.xml"
    assert settings["AUTHOR_FEED_ATOM"] is None  # would share feeds/{slug} with categories
    assert settings["COMMUNITY_METRICS_FETCH"] is True
    assert settings["COMMUNITY_METRICS_STRICT"] is True


def test_local_settings() -> None:
    settings = runpy.run_path(str(ROOT / "pelicanconf.py"))
    assert settings["RELATIVE_URLS"] is True
    assert settings["FEED_ALL_ATOM"] is None and settings["CATEGORY_FEED_ATOM"] is None
    assert settings["COMMUNITY_METRICS_FETCH"] is False
    assert settings["PLUGINS"][0] == "community_metrics"
    assert settings["THEME"] == "theme"
    assert settings["ARTICLE_URL"] == "posts/{slug}/"
    assert settings["404_SAVE_AS"] == "404.html"
