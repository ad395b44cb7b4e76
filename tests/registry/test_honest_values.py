"""Registry values that YAML would bend (numbers where text is meant) and dates that are not
plausible or depend on the machine's time zone are errors with file:line."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from community_metrics.collect.command import UsageError, check_date
from community_metrics.registry.config import ConfigError, parse_registry


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_registry(text, "reg.yml")
    return caught.value.problems


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("slug: 0123", "reg.yml:2:11: 'slug' 0123 is read by YAML as a number (83)"),
        ("name: 0777", "reg.yml:3:11: 'name' 0777 is read by YAML as a number (511)"),
        ("description: 12.50", "reg.yml:3:18: 'description' 12.50 is read by YAML as a number"),
        ("description: 1.5e+3", "reg.yml:3:18: 'description' 1.5e+3 is read by YAML as a number"),
    ],
)
def test_a_number_where_text_is_meant_asks_for_quotes(line: str, where: str) -> None:
    key = line.split(":")[0]
    fields = {"slug": "slug: ok", "name": "name: Ok", "description": "description: fine"}
    fields[key] = line
    if key == "description":
        del fields["name"]
        fields = {"slug": "slug: ok", "description": line, "name": "name: Ok"}
    body = "".join(f"    {v}\n" for v in fields.values())
    text = "communities:\n  -" + body[3:] + "    sources:\n      - platform: lemmy\n"
    text += "        community: tech@lemmy.example\n"
    problems = problems_of(text)
    assert any(p.startswith(where) and 'quotes: "' in p for p in problems), problems


def test_a_numeric_identifier_asks_for_quotes() -> None:
    text = (
        "communities:\n  - slug: ok\n    name: Ok\n    sources:\n"
        "      - platform: discord\n        invite: 0777\n"
    )
    (problem,) = problems_of(text)
    assert problem.startswith("reg.yml:6:17: 'invite' of ") and 'quotes: "0777"' in problem


def utc_today() -> str:
    return datetime.now(UTC).date().isoformat()


def founded(value: str) -> list[str]:
    text = (
        f"communities:\n  - slug: ok\n    name: Ok\n    founded: {value}\n    sources:\n"
        "      - platform: manual\n        name: m\n        values:\n"
        f"          - {{date: {value}, members: 3}}\n"
    )
    try:
        parse_registry(text, "reg.yml")
    except ConfigError as exc:
        return exc.problems
    return []


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12", "UTC"])
def test_dates_are_judged_in_utc_under_any_tz(zone: str, monkeypatch) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        today = datetime.now(UTC).date()
        assert founded(today.isoformat()) == []
        tomorrow = (today + timedelta(days=1)).isoformat()
        problems = founded(tomorrow)
        assert problems[0].startswith(f"reg.yml:4:14: 'founded' {tomorrow} is in the future")
        assert problems[1].startswith(f"reg.yml:9:20: date {tomorrow} is in the future")
        assert check_date(tomorrow) == tomorrow
        with pytest.raises(UsageError, match="outside the plausible snapshot days 2000-01-01"):
            check_date((today + timedelta(days=2)).isoformat())
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_old_founding_days_are_fine_but_not_before_1900() -> None:
    assert founded("1962-05-01") == []
    problems = founded("1899-12-31")
    assert problems[0].startswith("reg.yml:4:14: 'founded' 1899-12-31 is before 1900")
    assert problems[1].startswith("reg.yml:9:20: date 1899-12-31 is before 1900")


@pytest.mark.parametrize("text", ["1999-12-31", "0206-11-01", "٢٠٢٦-٠١-٠١"])
def test_snapshot_date_is_bounded_and_ascii(text: str) -> None:
    with pytest.raises(UsageError):
        check_date(text)
