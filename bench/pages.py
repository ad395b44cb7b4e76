"""Page weight (and, on request, Lighthouse) of /, /dashboard/ and one community page.

``run()`` builds the default site (pelicanconf.py: data/, or demo/ while data/ is empty) into a
temporary folder and, for each page, sums the gzip size of its HTML and of every asset it loads:
stylesheets, scripts, images, icons, and plotly.js, which pulse.js loads when the first chart
scrolls into view (counted: the budget is "including scripts"). Budget: 500 KB gzip per page.

With Lighthouse available (npm ``lighthouse`` on PATH, or ``LIGHTHOUSE=path/to/lighthouse``),
``run()`` (``python -m bench.pages``; ``--no-lighthouse`` to skip) also runs it with Debian's
chromium, mobile and desktop presets, against the build served with gzip on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BUDGET_BYTES = 500 * 1000
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
TARGETS = {"mobile": {"performance": 90}, "desktop": {"performance": 98}}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def build_default_site(output: Path, **overrides: Any) -> Path:
    sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]
    from pelican import Pelican
    from pelican.settings import read_settings

    cwd = os.getcwd()
    os.chdir(ROOT)  # the settings' relative paths (content, data, demo) are the project's
    try:
        settings = read_settings(
            str(ROOT / "pelicanconf.py"),
            override={"OUTPUT_PATH": str(output), "CACHE_CONTENT": False, **overrides},
        )
        Pelican(settings).run()
    finally:
        os.chdir(cwd)
    return output


def page_assets(html: str, page_url: str, base: str = "http://site") -> list[str]:
    """Site-relative paths of what a browser loads for the page (plotly.js included)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    found: list[str] = []
    for tag in soup.find_all("link", href=True):
        rel = {r.lower() for r in tag.get("rel", [])}
        if rel & {"stylesheet", "icon", "preload", "modulepreload"}:
            found.append(tag["href"])
    for tag in soup.find_all(["script", "img"], src=True):
        found.append(tag["src"])
    for tag in soup.find_all("script", attrs={"data-plotly": True}):
        if soup.select_one(".pulse-chart[data-figure]"):
            found.append(tag["data-plotly"])
    compare = soup.select_one("#compare-form[data-plotly]")
    if compare is not None:  # /compare/ draws its default comparison on load
        found.append(compare["data-plotly"])
        for slug in filter(None, compare.get("data-default", "").split(",")):
            found.append(f"{compare['data-data']}{slug}.json")
    paths = []
    for href in found:
        absolute = urljoin(f"{base}{page_url}", href)
        parts = urlsplit(absolute)
        if parts.netloc == urlsplit(base).netloc and parts.path not in paths:
            paths.append(parts.path)
    return paths


def first_community(output: Path) -> str:
    pages = sorted((output / "communities").glob("*/index.html"))
    if not pages:
        raise RuntimeError("the build wrote no community page")
    return f"/communities/{pages[0].parent.name}/"


def weigh(output: Path, page_url: str, base: str = "http://site") -> dict[str, Any]:
    html_path = output / page_url.lstrip("/") / "index.html"
    html = html_path.read_bytes()
    assets = {}
    for path in page_assets(html.decode("utf-8"), page_url, base):
        file = output / path.lstrip("/")
        # a favicon.ico the site does not have is a 404: nothing transferred worth counting
        assets[path] = gzip_size(file.read_bytes()) if file.is_file() else 0
    total = gzip_size(html) + sum(assets.values())
    return {
        "html_gzip_bytes": gzip_size(html),
        "assets_gzip_bytes": assets,
        "total_gzip_bytes": total,
        "total_gzip_kb": round(total / 1000, 1),
        "budget_kb": BUDGET_BYTES // 1000,
        "within_budget": total <= BUDGET_BYTES,
    }


# --- a static server that serves gzip, for Lighthouse ------------------------------------------


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files, gzip-compressed when the client accepts it (like GitHub Pages does)."""

    compressible = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".csv")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the slash URL
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in self.compressible):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        import io

        return io.BytesIO(body)


def serve_gzip(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(GzipHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def lighthouse_binary() -> str | None:
    return os.environ.get("LIGHTHOUSE") or shutil.which("lighthouse")


def run_lighthouse(url: str, preset: str, binary: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [
            binary,
            url,
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            f"--chrome-flags={CHROME_FLAGS}",
            "--only-categories=" + ",".join(CATEGORIES),
        ]
        if preset == "desktop":
            command.append("--preset=desktop")
        env = {**os.environ, "CHROME_PATH": CHROMIUM}
        subprocess.run(command, check=True, env=env, timeout=300, capture_output=True)
        data = json.loads(report.read_text())
    scores = {c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES}
    failing = sorted(
        audit["id"]
        for audit in data["audits"].values()
        if audit.get("score") is not None
        and audit["score"] < 1
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    )
    metrics = {
        key: round(data["audits"][key]["numericValue"])
        for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time")
        if key in data["audits"]
    }
    metrics["cumulative-layout-shift"] = round(
        data["audits"]["cumulative-layout-shift"]["numericValue"], 3
    )
    return {"scores": scores, "metrics_ms": metrics, "imperfect_audits": failing}


def run(lighthouse: bool | None = None, data: str | None = None) -> dict[str, Any]:
    """Figures of /, /dashboard/, /compare/ and one community page; Lighthouse scores when
    asked (None: whenever a Lighthouse binary is found). ``data``: a demo folder (``invoke demo
    --out DIR``) to build from instead of the default site's data (its communities.yml too).

    The site is built as published (absolute SITEURL = the local server's address), so that
    robots.txt, canonical links and feeds look like production's."""
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as folder:
        site = Path(folder) / "site"
        site.mkdir()
        server, base = serve_gzip(site)
        try:
            overrides: dict[str, Any] = {}
            if data:
                folder_path = Path(data).resolve()
                overrides = {
                    "COMMUNITY_METRICS_DATA": str(folder_path),
                    "COMMUNITY_METRICS_CONFIG": str(folder_path / "communities.yml"),
                }
            build_default_site(site, SITEURL=base, RELATIVE_URLS=False, **overrides)
            pages = {
                "/": "/",
                "/dashboard/": "/dashboard/",
                "/compare/": "/compare/",
                "community": first_community(site),
            }
            figures: dict[str, Any] = {}
            for label, url in pages.items():
                figures[label] = {"url": url, **weigh(site, url, base)}
            binary = lighthouse_binary() if lighthouse is not False else None
            if lighthouse and binary is None:
                figures["lighthouse"] = {"skipped": "npm lighthouse not found: set LIGHTHOUSE"}
            elif binary is not None:
                for label, url in pages.items():
                    figures[label]["lighthouse"] = {
                        preset: run_lighthouse(base + url, preset, binary) for preset in TARGETS
                    }
            return figures
        finally:
            server.shutdown()
            server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lighthouse",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run Lighthouse (default: when a binary is found; LIGHTHOUSE=path/to/lighthouse)",
    )
    parser.add_argument(
        "--data", help="build from this demo folder (invoke demo --out DIR) instead of data/"
    )
    args = parser.parse_args(argv)
    figures = run(lighthouse=args.lighthouse, data=args.data)
    for label, page in figures.items():
        if not isinstance(page, dict) or "url" not in page:
            print(label, page)
            continue
        verdict = "within" if page["within_budget"] else "OVER"
        print(f"{page['url']:<32} {page['total_gzip_kb']:>8.1f} KB gzip ({verdict} 500 KB)")
        for preset, result in page.get("lighthouse", {}).items():
            scores = " ".join(f"{k}={v}" for k, v in result["scores"].items())
            print(f"    lighthouse {preset:<8} {scores}")
            if result["imperfect_audits"]:
                print(f"        imperfect: {', '.join(result['imperfect_audits'])}")
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
