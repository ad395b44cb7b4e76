"""``invoke bench`` / ``python -m bench``: run every benchmark module once on this machine,
print one table and write ``bench.json`` with the date and the machine the figures were taken on.

Each module exposes ``run() -> dict`` (nested dicts of figures):

    bench.collector  collector throughput on the 500-source loopback setup
    bench.default_site  build time and peak memory of the default site (this repository)
    bench.build      build time and peak memory: demo 100x365, 1000x1095, 1000x2190
    bench.pages      bytes transferred (gzip) of /, /dashboard/ and one community page

A module that is missing, or that fails, is reported on its own line and in ``bench.json``; the
others still run. The exit status is 1 when a module failed (a missing one is only reported).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: (name, module, what it measures): in the order they run and are printed.
SECTIONS: list[tuple[str, str, str]] = [
    ("collector", "bench.collector", "collector throughput, 500 sources on 127.0.0.1"),
    ("site", "bench.default_site", "build time and peak memory of the default site"),
    ("build", "bench.build", "build time and peak memory of demo histories (communities x days)"),
    ("pages", "bench.pages", "bytes transferred (gzip) of /, /dashboard/, one community page"),
]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def memory_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def machine() -> dict[str, Any]:
    memory = memory_bytes()
    return {
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "memory_gib": round(memory / 2**30, 1) if memory else None,
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
        # other work on the machine slows every figure: keep the load it was taken under
        "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def run_section(module_name: str, say: Callable[[str], None]) -> dict[str, Any]:
    """Import ``module_name`` and call its ``run()``; a missing module or a failure is recorded."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name in (module_name, module_name.rpartition(".")[0]):
            say(f"bench: {module_name} is missing: skipped (nothing measured)")
            return {"status": "missing", "error": f"{module_name} does not exist yet"}
        say(f"bench: {module_name} needs the module {exc.name}, which is not installed")
        return {"status": "failed", "error": f"needs the module {exc.name}: pip install it"}
    runner = getattr(module, "run", None)
    if not callable(runner):
        say(f"bench: {module_name} has no run() function: skipped")
        return {"status": "missing", "error": f"{module_name} has no run()"}
    started = time.perf_counter()
    try:
        figures = runner()
    except Exception as exc:  # a benchmark's bug must not hide the other figures
        say(f"bench: {module_name} failed: {exc.__class__.__name__}: {exc}")
        return {
            "status": "failed",
            "error": f"{exc.__class__.__name__}: {exc}",
            "traceback": traceback.format_exc(limit=5),
            "seconds": round(time.perf_counter() - started, 3),
        }
    if not isinstance(figures, dict):
        say(f"bench: {module_name}.run() returned {type(figures).__name__}, not a dict")
        return {"status": "failed", "error": f"run() returned {type(figures).__name__}"}
    return {
        "status": "ok",
        "seconds": round(time.perf_counter() - started, 3),
        "figures": figures,
    }


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``{"a": {"b": 1}}`` -> ``("a.b", 1)``; lists are indexed; leaves are kept as they are."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
        for index, item in enumerate(value):
            label = item.get("name") or item.get("label") or item.get("case") or index
            yield from flatten(item, f"{prefix}[{label}]")
    else:
        yield prefix, value


def format_value(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower() if value is not None else "—"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value == 0 or abs(value) >= 100:
            return f"{value:,.1f}"
        return f"{value:.3g}"
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def table(results: dict[str, Any]) -> str:
    """One plain-text table of every figure, grouped by section."""
    rows: list[tuple[str, str, str]] = []
    for name, _module, _what in SECTIONS:
        section = results["sections"].get(name, {})
        status = section.get("status", "not run")
        if status != "ok":
            rows.append((name, status, section.get("error", "")))
            continue
        for key, value in flatten(section["figures"]):
            rows.append((name, key, format_value(value)))
        rows.append((name, "(section took, s)", format_value(section["seconds"])))
    widths = [max(len(row[i]) for row in [("section", "figure", "value"), *rows]) for i in (0, 1)]
    lines = [
        f"{'section':<{widths[0]}}  {'figure':<{widths[1]}}  value",
        f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * 12}",
    ]
    lines += [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}" for a, b, c in rows]
    m = results["machine"]
    lines.append(
        f"\n{results['date']} on {m['cores']} cores, {m['memory_gib']} GiB, {m['cpu']}, "
        f"Python {m['python']}; load average {m.get('load_average_1m')} at the start, "
        f"{m.get('load_average_1m_after')} at the end"
    )
    return "\n".join(lines)


def run_all(only: list[str] | None = None, say: Callable[[str], None] = print) -> dict[str, Any]:
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "sections": {},
    }
    for name, module, what in SECTIONS:
        if only and name not in only:
            continue
        say(f"bench: {name}: {what} ...")
        results["sections"][name] = run_section(module, say)
    if hasattr(os, "getloadavg"):
        results["machine"]["load_average_1m_after"] = round(os.getloadavg()[0], 2)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench.json", help="JSON to write")
    parser.add_argument(
        "--only",
        action="append",
        choices=[name for name, _, _ in SECTIONS],
        help="run only this section (repeatable)",
    )
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if str(ROOT / "plugins") not in sys.path:
        sys.path.insert(1, str(ROOT / "plugins"))
    results = run_all(args.only, say=lambda line: print(line, file=sys.stderr, flush=True))
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(f".{args.out.name}.tmp")
    tmp.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, args.out)
    print(f"\nbench: figures written to {args.out}")
    failed = [n for n, s in results["sections"].items() if s.get("status") == "failed"]
    return 1 if failed else 0
