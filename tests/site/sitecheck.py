"""Checks over a built site tree: every internal reference resolves, pages carry their meta.

Used by the site tests and the browser tests; kept free of pytest so that it reads plainly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

REFERENCE_ATTRIBUTES = {
    "a": ["href"],
    "link": ["href"],
    "script": ["src"],
    "img": ["src", "srcset"],
    "source": ["src", "srcset"],
    "iframe": ["src"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "form": ["action"],
}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
CSS_IMPORT = re.compile(r"@import\s+['\"]([^'\"]+)['\"]")
LOCAL_SCHEMES = {"", "http", "https"}


@dataclass(frozen=True)
class Reference:
    page: str  # site path of the file holding the reference, e.g. "posts/x/index.html"
    tag: str
    attribute: str
    value: str


def html_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.html") if path.is_file())


def site_path(root: Path, file: Path) -> str:
    return file.relative_to(root).as_posix()


def parse(file: Path) -> BeautifulSoup:
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def references(root: Path) -> Iterator[Reference]:
    """Every href/src/srcset in the HTML files and every url()/@import in the CSS files."""
    for file in html_files(root):
        soup = parse(file)
        page = site_path(root, file)
        for tag_name, attributes in REFERENCE_ATTRIBUTES.items():
            for tag in soup.find_all(tag_name):
                for attribute in attributes:
                    value = tag.get(attribute)
                    if not value:
                        continue
                    values = (
                        [part.strip().split(" ")[0] for part in value.split(",")]
                        if attribute == "srcset"
                        else [value]
                    )
                    for item in values:
                        yield Reference(page, tag_name, attribute, item)
    for file in sorted(root.rglob("*.css")):
        text = file.read_text(encoding="utf-8")
        for match in list(CSS_URL.finditer(text)) + list(CSS_IMPORT.finditer(text)):
            value = match.group(1)
            if not value.startswith("data:"):
                yield Reference(site_path(root, file), "css", "url", value)


def is_external(value: str, site_url: str = "") -> bool:
    """True when a reference leaves the site (another host, or another scheme like mailto:)."""
    if site_url and value.startswith(site_url.rstrip("/") + "/"):
        return False
    parts = urlsplit(value)
    return bool(parts.netloc) or parts.scheme not in LOCAL_SCHEMES


def resolve(root: Path, reference: Reference, site_url: str = "") -> tuple[Path | None, str]:
    """The file an internal reference points at (None when it resolves to nothing) and its
    fragment."""
    value = reference.value
    if site_url and value.startswith(site_url.rstrip("/") + "/"):
        value = "/" + value[len(site_url.rstrip("/")) + 1 :]
    base = "/" + reference.page
    parts = urlsplit(urljoin(base, value))
    target = unquote(parts.path)
    if not target.startswith("/"):
        return None, parts.fragment
    candidate = root / target.lstrip("/")
    if target.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    try:
        candidate.resolve().relative_to(root.resolve())
    except ValueError:
        return None, parts.fragment  # points above the site root
    return (candidate if candidate.is_file() else None), parts.fragment


def broken_references(root: Path, site_url: str = "") -> list[str]:
    """A line per internal reference that does not resolve (file, or #fragment in the file)."""
    problems: list[str] = []
    ids_cache: dict[Path, set[str]] = {}
    for reference in references(root):
        value = reference.value
        if value.startswith("#") and len(value) > 1:
            pass  # same-page fragment: checked below against the page itself
        elif is_external(value, site_url):
            continue
        if value.startswith("/") and not value.startswith("//"):
            problems.append(
                f"{reference.page}: <{reference.tag} {reference.attribute}={value!r}> is "
                "root-absolute: it breaks when the site is served under a sub-path "
                "(GitHub project pages); use {{ SITEURL }}/…"
            )
            continue
        target, fragment = resolve(root, reference, site_url)
        if target is None:
            problems.append(
                f"{reference.page}: <{reference.tag} {reference.attribute}={value!r}> "
                "resolves to no file"
            )
            continue
        if fragment and target.suffix == ".html":
            if target not in ids_cache:
                soup = parse(target)
                ids_cache[target] = {str(tag.get("id")) for tag in soup.find_all(id=True)} | {
                    str(tag.get("name")) for tag in soup.find_all("a", attrs={"name": True})
                }
            if unquote(fragment) not in ids_cache[target]:
                problems.append(f"{reference.page}: {value!r}: no element with id {fragment!r}")
    return list(dict.fromkeys(problems))  # one line per distinct problem, in order


def external_resources(root: Path, site_url: str = "") -> list[str]:
    """References that make a browser fetch from another host (not plain links a reader
    clicks): scripts, stylesheets, images, frames, fonts, CSS url()."""
    problems = []
    for reference in references(root):
        if reference.tag == "a" or reference.tag == "form":
            continue
        if reference.tag == "link":
            continue  # <link> resources are checked below by rel
        if is_external(reference.value, site_url):
            problems.append(f"{reference.page}: {reference.tag} {reference.value}")
    for file in html_files(root):
        for link in parse(file).find_all("link", href=True):
            rel = set(link.get("rel") or [])
            fetched = rel & {
                "stylesheet",
                "icon",
                "preload",
                "prefetch",
                "modulepreload",
                "apple-touch-icon",
                "manifest",
                "preconnect",
                "dns-prefetch",
            }
            if fetched and is_external(link["href"], site_url):
                problems.append(f"{site_path(root, file)}: link {link['href']}")
    return problems
