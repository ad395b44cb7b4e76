"""Commands of Community Pulse (invoke). Each task is thin: the work lives in importable code.

Owners while the project is being built: build/serve/livereload/clean/publish/new_post (site),
snapshot (collectors), demo (dashboard), bench (pipeline). Keep each task a few lines.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))


@task(
    help={
        "config": "registry file (default: communities.yml)",
        "data": "folder holding snapshots/ (default: data)",
    }
)
def build(c, config=None, data=None):
    """Build output/ from the registry and data/ (demo/ when data/ holds no snapshot yet)."""
    import site_tasks

    try:
        site_tasks.check_build_options(config, data)
    except site_tasks.TaskError as error:
        raise Exit(f"invoke build: {error}", code=2) from None
    status = site_tasks.run_build(site_tasks.BuildOptions(config=config, data=data))
    if status:
        raise Exit("invoke build: the build failed (messages above)", code=status)
    print(f"Site built in {site_tasks.OUTPUT}")


@task
def serve(c, port="8000"):
    """Serve output/ on http://127.0.0.1:PORT (build first)."""
    import site_tasks

    try:
        number = site_tasks.parse_port(port)
    except site_tasks.TaskError as error:
        raise Exit(f"invoke serve: {error}", code=2) from None
    if not site_tasks.OUTPUT.is_dir():
        raise Exit("invoke serve: output/ does not exist yet; run invoke build first", code=2)
    print(f"Serving {site_tasks.OUTPUT} on http://127.0.0.1:{number}/ (Ctrl-C stops)")
    subprocess.run(site_tasks.serve_command(number), check=False)


@task
def livereload(c, port="5500", config=None, data=None):
    """Build, serve on 127.0.0.1:PORT and rebuild + reload the browser on every change to
    content/, theme/, plugins/, data/ or communities.yml (plugin code is reloaded too)."""
    import site_tasks

    try:
        number = site_tasks.parse_port(port)
        site_tasks.check_build_options(config, data)
    except site_tasks.TaskError as error:
        raise Exit(f"invoke livereload: {error}", code=2) from None
    site_tasks.serve_with_livereload(site_tasks.BuildOptions(config=config, data=data), number)


@task
def clean(c):
    """Remove output/."""
    import site_tasks

    removed = site_tasks.clean()
    print(f"Removed {site_tasks.OUTPUT}" if removed else "Nothing to clean: no output/")


@task
def publish(c, branch="gh-pages", remote="origin", push=True, fetch=True):
    """Build with publishconf.py (--fatal warnings) and commit output/ to the gh-pages branch
    with a .nojekyll; push it when the git remote exists. Set SITEURL in the environment;
    --no-fetch builds from the committed snapshots without collecting."""
    import site_tasks

    options = site_tasks.BuildOptions(
        settings=site_tasks.PUBLISH_SETTINGS, fatal_warnings=True, fetch=None if fetch else False
    )
    status = site_tasks.run_build(options)
    if status:
        raise Exit(
            "invoke publish: the build failed (messages above); nothing published", code=status
        )
    target = remote if push and site_tasks.git_remote_exists(remote) else None
    if push and target is None:
        print(f"No git remote {remote!r}: committing to {branch} without pushing")
    command = site_tasks.ghp_import_command(
        site_tasks.OUTPUT, branch, target, "Publish site (invoke publish)"
    )
    if subprocess.run(command, cwd=site_tasks.ROOT, check=False).returncode:
        raise Exit("invoke publish: ghp-import failed (messages above)", code=1)
    print(f"Published output/ to branch {branch}" + (f" and pushed to {target}" if target else ""))


@task(
    help={
        "title": "the post's title, in quotes",
        "category": "one of PULSE_CATEGORIES",
        "tags": "comma-separated tags",
    }
)
def new_post(c, title, category="Project", tags=""):
    """Write content/posts/YYYY-MM-DD-slug.md with front matter and print its path."""
    from datetime import datetime

    import site_tasks

    try:
        path = site_tasks.write_new_post(
            title,
            datetime.now(),
            category=category,
            tags=site_tasks.parse_tags(tags),
            allowed_categories=site_tasks.configured_categories(),
        )
    except site_tasks.TaskError as error:
        raise Exit(f"invoke new-post: {error}", code=2) from None
    print(path.relative_to(site_tasks.ROOT))


@task(auto_shortflags=False)  # long options only: "-h" must stay help, never "--check"
def snapshot(
    c,
    only=None,
    date=None,
    config="communities.yml",
    data="data",
    record=None,
    replay=None,
    shard=None,
    merge=False,
    check=False,
):
    """Collect today's snapshot into data/snapshots/YYYY/YYYY-MM-DD.json.

    --check asks each selected source once (with --only SLUG: that community's), prints what
    each returned and which secret or fix it needs, and writes nothing."""
    from community_metrics.collect.command import run_snapshot

    status = run_snapshot(
        only=only,
        date=date,
        config=config,
        data=data,
        record=record,
        replay=replay,
        shard=shard,
        merge=merge,
        check=check,
    )
    if status:
        raise Exit(code=status)


@task
def demo(c, communities="20", days="400", out="demo", seed="1"):
    """Write a synthetic, deterministic demo registry and history (flagged synthetic)."""
    from community_metrics.collect.demo import DemoError, generate_demo

    try:
        numbers = [int(communities), int(days), int(seed)]
    except ValueError:
        raise Exit(
            "community_metrics: demo: --communities, --days and --seed are whole "
            "numbers, e.g. invoke demo --communities 20 --days 400",
            code=2,
        ) from None
    try:
        generate_demo(Path(out), *numbers, progress=print)
    except DemoError as exc:
        raise Exit(f"community_metrics: demo: {exc}", code=2) from None
    except OSError as exc:
        raise Exit(f"community_metrics: demo: cannot write into {out}: {exc}", code=2) from None


@task(iterable=["only"])
def bench(c, out="bench.json", only=None):
    """Measure collector throughput, build time/memory and page weight; print and write bench.json.

    --only collector|build|pages (repeatable) runs some sections; --out names the JSON file.
    """
    sys.path.insert(0, str(ROOT))
    from bench.run import main

    status = main(["--out", out, *(f"--only={name}" for name in only or [])])
    if status:
        raise Exit(code=status)
