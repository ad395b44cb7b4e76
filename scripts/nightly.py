"""The steps of the nightly GitHub Actions job (.github/workflows/nightly.yml), one subcommand
each, so that the workflow's YAML only calls them and a test can play the very same steps
locally (tests/pipeline/test_nightly_local.py).

    python scripts/nightly.py check-registry [communities.yml]   validate the registry (CI)
    python scripts/nightly.py plan       count sources; one collect job or a matrix of shards
    python scripts/nightly.py collect    invoke snapshot (or one shard of it); job summary
    python scripts/nightly.py place      put today's file in data/ (merging shards when fanned out)
    python scripts/nightly.py commit     commit data/ as the bot when the data changed; push
    python scripts/nightly.py build      build output/ with publishconf.py, without collecting

Settings come from the environment, as the workflow passes them:
SNAPSHOT_DATE (default: today, UTC), SNAPSHOT_SHARD ("all" or "K/N"), SNAPSHOT_FANOUT
("true"/"false"), SNAPSHOT_SINCE (a run's start, for "did anything succeed in this run"),
COMMUNITY_METRICS_REPLAY (a VCR.py cassette: collect offline, for local runs and tests),
SHARD_THRESHOLD (default 200), MAX_SHARDS (default 8), NIGHTLY_BRANCH (default: GITHUB_REF_NAME
or main), NIGHTLY_PUSH_ATTEMPTS (5), NIGHTLY_PUSH_DELAY (seconds, 3), GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY (set by GitHub Actions; printed to stdout when absent).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from community_metrics.collect.verdict import is_collected, run_succeeded  # noqa: E402
from community_metrics.contract.model import (  # noqa: E402
    Observation,
    Snapshot,
    format_timestamp,
    parse_timestamp,
)
from community_metrics.store.backfill import BACKFILL_DIR  # noqa: E402
from community_metrics.store.snapshots import (  # noqa: E402
    SnapshotError,
    read_snapshot,
    snapshot_path,
)

PREFIX = "nightly: "
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
WORK = Path("nightly-work")  # files handed from one job to the next as artifacts
NOTHING = "nothing-collected.txt"  # handed on instead of a snapshot when there is no source
DEFAULT_THRESHOLD = 200
DEFAULT_MAX_SHARDS = 8


class StepError(Exception):
    """A step cannot go on; the message says why and what to do. Exit status 1."""


# --- small helpers ----------------------------------------------------------------------------


def say(message: str) -> None:
    print(f"{PREFIX}{message}", flush=True)


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise StepError(f"{name}={raw!r} is not a whole number; e.g. {default}") from None
    if value < minimum:
        raise StepError(f"{name}={value} must be at least {minimum}")
    return value


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def snapshot_date() -> str:
    date = os.environ.get("SNAPSHOT_DATE", "").strip() or today()
    try:
        datetime.strptime(date, "%Y-%m-%d")
    except ValueError:
        raise StepError(f"SNAPSHOT_DATE={date!r} is not a date YYYY-MM-DD") from None
    return date


def set_output(**values: str) -> None:
    """Step outputs: appended to $GITHUB_OUTPUT in Actions, printed otherwise."""
    target = os.environ.get("GITHUB_OUTPUT")
    lines = [f"{key}={value}" for key, value in values.items()]
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write("".join(line + "\n" for line in lines))
    for line in lines:
        say(f"output {line}")


def write_summary(markdown: str) -> None:
    """The job summary: appended to $GITHUB_STEP_SUMMARY in Actions, printed otherwise."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")
    else:
        print(markdown, flush=True)


def run(args: list[str], *, check: bool = True, quiet: bool = False) -> subprocess.CompletedProcess:
    """Run a command in the current directory; output goes to the job log unless captured."""
    if not quiet:
        say("$ " + " ".join(args))
    return subprocess.run(
        args,
        check=check,
        text=True,
        capture_output=quiet,
    )


def git(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], check=check, text=True, capture_output=True)


# --- check-registry ---------------------------------------------------------------------------


def load_registry(path: Path):  # -> community_metrics.registry.config.Registry
    from community_metrics.registry import config

    loader = getattr(config, "load_registry", None)
    if loader is None:
        raise StepError(
            "community_metrics.registry.config has no load_registry yet; cannot validate"
        )
    return loader(path)


def check_registry(path: Path) -> int:
    from community_metrics.registry.config import ConfigError

    try:
        registry = load_registry(path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(
            f"{path}: {len(exc.problems)} problem(s); fix them and run "
            f"'python scripts/nightly.py check-registry {path}' again",
            file=sys.stderr,
        )
        return 1
    say(f"{path}: {len(registry.communities)} communities, {len(registry.sources)} sources, valid")
    return 0


# --- plan -------------------------------------------------------------------------------------


def shard_plan(count: int, threshold: int, max_shards: int) -> list[str]:
    """``["all"]`` up to ``threshold`` sources; above it ``["1/K", ..., "K/K"]`` with about
    ``threshold`` sources per shard and at most ``max_shards`` shards."""
    if count <= threshold:
        return ["all"]
    shards = min(max_shards, math.ceil(count / threshold))
    if shards < 2:
        return ["all"]
    return [f"{index}/{shards}" for index in range(1, shards + 1)]


def plan(config_path: Path) -> int:
    threshold = env_int("SHARD_THRESHOLD", DEFAULT_THRESHOLD, minimum=1)
    max_shards = env_int("MAX_SHARDS", DEFAULT_MAX_SHARDS, minimum=1)
    registry = load_registry(config_path)
    count = len(registry.sources)
    shards = shard_plan(count, threshold, max_shards)
    fanout = shards != ["all"]
    say(
        f"{count} sources, threshold {threshold}: "
        + (f"{len(shards)} shard jobs and a merge" if fanout else "one collect job")
    )
    set_output(
        date=snapshot_date(),
        since=format_timestamp(datetime.now(UTC)),
        fanout="true" if fanout else "false",
        shards=json.dumps(shards),
    )
    return 0


# --- reading a run's outcome ------------------------------------------------------------------


@dataclass
class Outcome:
    """What one run did to the day's file: counts by status and the sources to look at."""

    date: str
    counts: Counter
    fresh_good: int  # ok/partial observations observed in this run
    attention: list[Observation]  # partial, stale and error observations
    succeeded: bool = True  # collect.verdict.run_succeeded: the one rule, as invoke snapshot

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def outcome(snapshot: Snapshot, since: datetime | None) -> Outcome:
    """``fresh_good`` counts the collected sources that answered in this run; ``succeeded`` is
    ``collect.verdict.run_succeeded``, the rule behind ``invoke snapshot``'s exit status too.
    Manual values are never collected, so they never count as an answer."""
    counts: Counter = Counter(o.status for o in snapshot.observations)
    fresh = 0
    for observation in snapshot.observations:
        if not is_collected(observation.platform):
            continue
        if not observation.is_good or observation.observed_at is None:
            continue
        if since is None or parse_timestamp(observation.observed_at) >= since:
            fresh += 1
    attention = [o for o in snapshot.observations if o.status != "ok"]
    succeeded = run_succeeded(snapshot.observations, since)
    return Outcome(snapshot.date, counts, fresh, attention, succeeded)


def _cell(text: str | None) -> str:
    """Text inside a markdown table cell of the job summary: one line, no markup."""
    if not text:
        return "—"
    text = " ".join(str(text).split())
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "&#124;")):
        text = text.replace(char, entity)
    text = text.replace("`", "&#96;").replace("[", "&#91;").replace("]", "&#93;")
    return text[:300] + ("…" if len(text) > 300 else "")


def readme_url() -> str:
    """The README as GitHub shows it: the repository's home page in Actions, else the file."""
    server = os.environ.get("GITHUB_SERVER_URL", "").strip().rstrip("/")
    repository = os.environ.get("GITHUB_REPOSITORY", "").strip()
    if server.startswith("https://") and repository.count("/") == 1:
        return f"{server}/{repository}"
    return "README.md"


def fix_link(platform: str) -> str:
    """A link to the platform's row of the README's Secrets table (what works without a secret,
    what each secret unlocks, where to create it); '—' for a platform without a row."""
    from community_metrics.collect.sources.needs import NEEDS

    needs = NEEDS.get(platform)
    if needs is None:
        return "—"
    return f"[{_cell(platform)} in README]({readme_url()}#{needs.anchor})"


def summary_markdown(result: Outcome, title: str) -> str:
    parts = ", ".join(f"{result.counts.get(s, 0)} {s}" for s in ("ok", "partial", "stale", "error"))
    lines = [f"## {title} — {result.date}", "", f"{result.total} sources: {parts}.", ""]
    if result.attention:
        lines += [
            "### Sources that need attention",
            "",
            "| community | source | status | values observed at | error | what to do |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for o in sorted(result.attention, key=lambda o: (o.status, o.key)):
            lines.append(
                f"| {_cell(o.community)} | {_cell(o.source)} | {o.status} | "
                f"{_cell(o.observed_at) if o.status != 'error' else '—'} | {_cell(o.error)} | "
                f"{fix_link(o.platform)} |"
            )
        lines.append("")
    else:
        lines += ["Every source answered.", ""]
    return "\n".join(lines)


def since_from_env(default: datetime | None) -> datetime | None:
    raw = os.environ.get("SNAPSHOT_SINCE", "").strip()
    if not raw:
        return default
    try:
        return parse_timestamp(raw)
    except ValueError:
        raise StepError(f"SNAPSHOT_SINCE={raw!r} is not an ISO 8601 timestamp") from None


def judge(path: Path, since: datetime | None, title: str) -> Snapshot:
    """Summarise the day's file; fail when no source succeeded in this run."""
    try:
        snapshot = read_snapshot(path)
    except SnapshotError as exc:
        raise StepError(f"cannot read the snapshot just written: {exc}") from None
    result = outcome(snapshot, since)
    write_summary(summary_markdown(result, title))
    if not result.succeeded:
        write_summary(
            "**Every source failed in this run: nothing is committed or deployed; "
            "the last good site stays up.**\n"
        )
        raise StepError(
            f"every source failed in this run ({result.total} sources); see the job summary. "
            "Nothing is committed; the published site keeps its last good data."
        )
    if not result.total:
        say("the snapshot holds no observations (empty registry?)")
    return snapshot


# --- collect ----------------------------------------------------------------------------------


def snapshot_command(config: Path, data: Path, date: str, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "invoke", "snapshot", "--data", str(data), "--date", date]
    if "--merge" in extra:  # merging reads data/partials only
        return [*command, *extra]
    command += ["--config", str(config), *extra]
    cassette = os.environ.get("COMMUNITY_METRICS_REPLAY", "").strip()
    if cassette:
        command += ["--replay", cassette]
    return command


def missing_tokens(config: Path) -> dict[str, list[str]]:
    """Token variables the registry's sources read that are unset or empty: variable -> sources.
    Such a source is asked without a token (lower rate limits) or, where the platform requires
    one, fails with a message naming the secret; either way a warning, not a failed run."""
    from community_metrics.registry.config import ConfigError
    from community_metrics.registry.platforms import PLATFORMS

    try:
        registry = load_registry(config)
    except (ConfigError, StepError):
        return {}  # the snapshot command reports the registry's problems
    missing: dict[str, list[str]] = {}
    for source in registry.sources:
        platform = PLATFORMS.get(source.platform)
        variable = source.token_env or (platform.default_token_env if platform else None)
        if variable and not os.environ.get(variable, "").strip():
            missing.setdefault(variable, []).append(source.label)
    return missing


def warn_missing_tokens(missing: dict[str, list[str]]) -> None:
    if not missing:
        return
    lines = [
        "### Tokens not set",
        "",
        "These sources were asked without a token. Where the token is optional (GitHub, "
        "GitLab, Stack Exchange) that means lower rate limits; where it is required (YouTube, "
        "Telegram, Slack, Zulip) the source fails until the repository secret is added. "
        "Nothing else is needed.",
        "",
    ]
    for variable, labels in sorted(missing.items()):
        shown = ", ".join(_cell(label) for label in labels[:10])
        more = f" and {len(labels) - 10} more" if len(labels) > 10 else ""
        lines.append(f"- `{variable}`: {shown}{more}")
        # an annotation on the run page (GitHub Actions reads this line from the log)
        print(
            f"::warning title=Token not set::{variable} is not set: {len(labels)} source(s) "
            "are asked without a token (lower rate limits)",
            flush=True,
        )
    write_summary("\n".join(lines) + "\n")


def collect(config: Path, data: Path) -> int:
    missing = missing_tokens(config)
    try:
        return collect_snapshot(config, data)
    finally:  # after the run's summary, also when every source failed
        warn_missing_tokens(missing)


def collect_snapshot(config: Path, data: Path) -> int:
    date = snapshot_date()
    shard = os.environ.get("SNAPSHOT_SHARD", "").strip() or "all"
    started = datetime.now(UTC).replace(microsecond=0)
    out = WORK / "out"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if shard == "all":
        answer = run(snapshot_command(config, data, date), check=False)
        path = snapshot_path(data, date)
        if answer.returncode == 0 and not path.exists():  # a registry with no source yet
            (out / NOTHING).write_text(f"{date}: the registry has no source to collect\n")
            say("the registry has no source: nothing collected")
            return 0
        if not path.exists():
            raise StepError(
                f"invoke snapshot exited {answer.returncode} and wrote no {path}; see the log above"
            )
        if answer.returncode:
            say(f"invoke snapshot exited {answer.returncode}; judging by the file it wrote")
        judge(path, since_from_env(started), "Community Pulse snapshot")
        target = out / path.relative_to(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        say(f"{path} handed on as {target}")
        hand_on_backfills(data, out)
        return 0
    answer = run(snapshot_command(config, data, date, "--shard", shard), check=False)
    if answer.returncode not in (0, 1):  # 1: every source of this shard failed; merge judges
        raise StepError(f"shard {shard}: invoke snapshot exited {answer.returncode}")
    k, n = shard.split("/")
    written = sorted((data / "partials").glob(f"{date}.shard-{k}-of-{n}.json"))
    if not written:
        raise StepError(f"shard {shard}: invoke snapshot wrote no partial file")
    (out / "partials").mkdir()
    for path in written:
        shutil.copy2(path, out / "partials" / path.name)
    say(f"shard {shard}: {', '.join(p.name for p in written)} handed on")
    hand_on_backfills(data, out)
    return 0


def hand_on_backfills(data: Path, out: Path) -> list[Path]:
    """Back-fill files (data/backfill/, written once by the snapshot command on a source's
    first collection) travel to the record job with the day's file."""
    folder = data / BACKFILL_DIR
    handed: list[Path] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        target = out / BACKFILL_DIR / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        handed.append(target)
    return handed


def place_backfills(incoming: Path, data: Path) -> list[Path]:
    """New back-fill files join data/backfill/; one that is already there is never replaced,
    and one that is not a back-fill file is left out with a line in the log."""
    from community_metrics.store.backfill import BackfillError, parse_backfill

    placed: list[Path] = []
    for path in sorted((incoming / BACKFILL_DIR).glob("*.json")):
        target = data / BACKFILL_DIR / path.name
        if target.exists():
            continue
        try:
            parse_backfill(json.loads(path.read_text(encoding="utf-8")), str(path))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, BackfillError) as exc:
            say(f"{path}: not a usable back-fill file, left out ({exc})")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        placed.append(target)
        say(f"{target} placed (back-fill)")
    return placed


# --- place ------------------------------------------------------------------------------------


def place(config: Path, data: Path) -> int:
    date = snapshot_date()
    incoming = WORK / "in"
    target = snapshot_path(data, date)
    if os.environ.get("SNAPSHOT_FANOUT", "false").strip().lower() == "true":
        handed = sorted((incoming / "partials").glob(f"{date}.shard-*-of-*.json"))
        if not handed:
            raise StepError(f"no partial files under {incoming / 'partials'}: did shards upload?")
        partials = data / "partials"
        partials.mkdir(parents=True, exist_ok=True)
        for path in handed:
            shutil.copy2(path, partials / path.name)
        answer = run(snapshot_command(config, data, date, "--merge"), check=False)
        if answer.returncode and not target.exists():
            raise StepError(f"invoke snapshot --merge exited {answer.returncode}, wrote nothing")
        judge(target, since_from_env(None), "Community Pulse snapshot (merged shards)")
        place_backfills(incoming, data)
        return 0
    handed = incoming / target.relative_to(data)
    if not handed.exists() and (incoming / NOTHING).exists():
        say("nothing was collected (no source in the registry): nothing to place")
        return 0
    if not handed.exists():
        raise StepError(f"{handed} is missing: the collect job uploads it as an artifact")
    try:
        read_snapshot(handed)
    except SnapshotError as exc:
        raise StepError(f"the collected file is not a valid snapshot: {exc}") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    if handed.resolve() != target.resolve():
        shutil.copyfile(handed, target)
    say(f"{target} placed")
    place_backfills(incoming, data)
    return 0


# --- commit -----------------------------------------------------------------------------------


def comparable(snapshot_json: str) -> object:
    """A snapshot without the moments of its run: two runs that saw the same values compare
    equal, so a second run the same day with identical data commits nothing."""
    data = json.loads(snapshot_json)
    data.pop("generated_at", None)
    for observation in data.get("observations", []):
        if isinstance(observation, dict) and observation.get("status") in ("ok", "partial"):
            observation.pop("observed_at", None)
    return data


def changed_paths(data: Path) -> list[str]:
    """Snapshot files that differ from HEAD in more than the run's timestamps, and new back-fill
    files (shard partials under data/partials are working files, never committed)."""
    folder = str(data / "snapshots")
    status = git("status", "--porcelain", "--untracked-files=all", "--", folder).stdout
    changed: list[str] = []
    for line in status.splitlines():
        path = line[3:].strip().strip('"')
        if " -> " in path:
            path = path.split(" -> ", 1)[1]
        code = line[:2]
        if path.endswith(".json") and code.strip() == "M":
            before = git("show", f"HEAD:{path}", check=False)
            if before.returncode == 0:
                try:
                    after = Path(path).read_text(encoding="utf-8")
                    if comparable(before.stdout) == comparable(after):
                        say(f"{path}: same values as the last commit; only run times differ")
                        git("checkout", "HEAD", "--", path)
                        continue
                except (OSError, json.JSONDecodeError):
                    pass  # unreadable: let the commit show it rather than hide it
        changed.append(path)
    # new back-fill files are committed; an existing one is never rewritten
    backfills = git(
        "status", "--porcelain", "--untracked-files=all", "--", str(data / BACKFILL_DIR)
    ).stdout
    for line in backfills.splitlines():
        path = line[3:].strip().strip('"')
        if line[:2] in ("??", "A ") and path.endswith(".json"):
            changed.append(path)
    return changed


def commit_message(data: Path, date: str) -> str:
    path = snapshot_path(data, date)
    try:
        snapshot = read_snapshot(path)
    except SnapshotError:
        return f"data: snapshot {date}"
    counts = Counter(o.status for o in snapshot.observations)
    parts = ", ".join(f"{counts[s]} {s}" for s in ("ok", "partial", "stale", "error") if counts[s])
    return f"data: snapshot {date} ({parts or 'no sources'})"


def push_with_retry(branch: str) -> None:
    attempts = env_int("NIGHTLY_PUSH_ATTEMPTS", 5, minimum=1)
    delay = env_int("NIGHTLY_PUSH_DELAY", 3)
    for attempt in range(1, attempts + 1):
        pushed = git("push", "origin", f"HEAD:refs/heads/{branch}", check=False)
        if pushed.returncode == 0:
            say(f"pushed to {branch} (attempt {attempt})")
            return
        say(f"push rejected (attempt {attempt}/{attempts}): {pushed.stderr.strip()[:300]}")
        if attempt == attempts:
            break
        time.sleep(delay * attempt)
        rebased = git("pull", "--rebase", "origin", branch, check=False)
        if rebased.returncode != 0:
            git("rebase", "--abort", check=False)
            raise StepError(
                f"cannot rebase the snapshot commit on origin/{branch}: someone else changed the "
                f"same files ({rebased.stderr.strip()[:300]}). Run the workflow again."
            )
    raise StepError(f"could not push to {branch} after {attempts} attempts; run it again")


def commit(data: Path) -> int:
    date = snapshot_date()
    branch = (
        os.environ.get("NIGHTLY_BRANCH", "").strip()
        or os.environ.get("GITHUB_REF_NAME", "").strip()
        or "main"
    )
    paths = changed_paths(data)
    if not paths:
        say("no data changed: nothing to commit")
        set_output(changed="false", sha=git("rev-parse", "HEAD").stdout.strip())
        write_summary("No data changed since the last commit: nothing committed.\n")
        return 0
    git("add", "--", *paths)
    message = commit_message(data, date)
    # the bot is author and committer, also of the commit a rebase rewrites (this checkout only)
    git("config", "user.name", os.environ.get("NIGHTLY_BOT_NAME", BOT_NAME))
    git("config", "user.email", os.environ.get("NIGHTLY_BOT_EMAIL", BOT_EMAIL))
    committed = git("commit", "--quiet", "-m", message, "--", *paths, check=False)
    if committed.returncode != 0:
        why = committed.stderr.strip() or committed.stdout.strip()
        raise StepError(f"git commit failed: {why}")
    say(f"committed {len(paths)} file(s): {message}")
    push_with_retry(branch)
    sha = git("rev-parse", "HEAD").stdout.strip()
    set_output(changed="true", sha=sha)
    write_summary(f"Committed `{sha[:12]}`: {_cell(message)}\n")
    return 0


# --- build ------------------------------------------------------------------------------------


def build(output: Path) -> int:
    """Build with publishconf.py. Collection already happened (or, in CI, must not happen):
    COMMUNITY_METRICS_FETCH is switched off. SITEURL comes from the environment."""
    if not os.environ.get("SITEURL"):
        say("SITEURL is not set: publishconf.py falls back to its default address")
    answer = run(
        [
            sys.executable, "-m", "pelican", "content",
            "--settings", "publishconf.py", "--output", str(output),
            "--fatal", "errors",
            "--extra-settings", "COMMUNITY_METRICS_FETCH=false",
        ],
        check=False,
    )  # fmt: skip
    if answer.returncode:
        raise StepError(f"the site build failed (exit {answer.returncode}); see the log above")
    if not (output / "index.html").is_file():
        raise StepError(f"the build wrote no {output / 'index.html'}")
    nojekyll = output / ".nojekyll"
    if not nojekyll.exists():
        nojekyll.touch()  # Pages must serve files as they are (no Jekyll)
        say(f"{nojekyll} was missing: created")
    files = sum(1 for p in output.rglob("*") if p.is_file())
    say(f"built {files} files into {output}")
    return 0


# --- command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/nightly.py", description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=Path("communities.yml"))
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--output", type=Path, default=Path("output"))
    sub = parser.add_subparsers(dest="step", required=True)
    check = sub.add_parser("check-registry", help="validate communities.yml")
    check.add_argument("registry", nargs="?", type=Path)
    for name in ("plan", "collect", "place", "commit", "build"):
        sub.add_parser(name)
    args = parser.parse_args(argv)
    try:
        if args.step == "check-registry":
            return check_registry(args.registry or args.config)
        if args.step == "plan":
            return plan(args.config)
        if args.step == "collect":
            return collect(args.config, args.data)
        if args.step == "place":
            return place(args.config, args.data)
        if args.step == "commit":
            return commit(args.data)
        return build(args.output)
    except StepError as exc:
        print(f"{PREFIX}error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a config error surfacing from load_registry in plan
        from community_metrics.registry.config import ConfigError

        if isinstance(exc, ConfigError):
            for problem in exc.problems:
                print(f"error: {problem}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
