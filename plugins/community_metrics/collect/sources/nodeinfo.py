"""Any fediverse server, through NodeInfo: ``GET https://{host}/.well-known/nodeinfo``, then
the document of the highest 2.x schema it links to.

Docs: https://nodeinfo.diaspora.software/protocol.html (discovery) and the schemas 2.0, 2.1
and 2.2 (https://github.com/jhass/nodeinfo/tree/main/schemas). Traps, from real servers:
- the ``href`` may end in ``.json`` (Pleroma/Akkoma, PeerTube), use another path (Funkwhale
  ``/api/v1/instance/nodeinfo/2.0/``) or use ``http:``; one that points at **another host** is
  refused: the figures would describe someone else's server;
- documents omit ``services``/``metadata`` (Lemmy), ``localPosts`` (relays) or
  ``localComments`` (Firefish); the Misskey family always writes ``localComments: 0``
  (hard-coded, not a count), which is therefore read as absent;
- PeerTube's ``localPosts`` counts videos (``extra.posts_are``);
- ``usage.users.activeWeek`` (PLATFORMS.md: schema 2.2) is not in the published 2.2 schema
  (jhass/nodeinfo schemas/2.2/schema.json): it is read when a server sends it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, count, expect_object, put

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

#: the ``rel`` of a NodeInfo 2.x document link (some servers write https: in the rel)
SCHEMA_REL = re.compile(r"https?://nodeinfo\.diaspora\.software/ns/schema/(2)\.(\d{1,3})/?")
#: servers that write ``localComments: 0`` whatever happens (Misskey's NodeinfoServerService)
ALWAYS_ZERO_COMMENTS = frozenset(
    {"misskey", "sharkey", "cherrypick", "foundkey", "calckey", "meisskey", "catodon"}
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_port(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port == DEFAULT_PORTS.get(parts.scheme):
        port = None
    return host, port


def pick_schema(payload: Any, discovery: str) -> tuple[str, str]:
    """(version, href) of the highest 2.x link of a discovery document."""
    links = expect_object(payload, "a NodeInfo discovery document", discovery).get("links")
    if not isinstance(links, list):
        raise SourceError(f"{discovery}: no 'links' list: not a NodeInfo discovery document")
    best: tuple[tuple[int, int], str] | None = None
    found = []
    for link in links:
        if not isinstance(link, dict) or not isinstance(link.get("rel"), str):
            continue
        rel, href = link["rel"].strip(), link.get("href")
        found.append(rel)
        match = SCHEMA_REL.fullmatch(rel)
        if match and isinstance(href, str) and href.strip():
            version = (int(match.group(1)), int(match.group(2)))
            if best is None or version > best[0]:
                best = (version, href.strip())
    if best is None:
        what = ", ".join(found[:5]) if found else "no links at all"
        raise SourceError(f"{discovery}: links to no NodeInfo 2.x schema (found: {what})")
    (major, minor), href = best
    return f"{major}.{minor}", href


def document_url(href: str, discovery: str, source: SourceConfig) -> str:
    """The URL to ask for the document: the href itself, on the configured host only. With an
    ``api:`` override (tests, a server reached by another name) an href naming the configured
    host is rebased onto that API base."""
    url = urljoin(discovery, href)
    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise SourceError(f"{discovery}: the NodeInfo 2.x link is not an http(s) URL ({href!r})")
    configured = _host_port(f"https://{source.id}")
    reached = _host_port(discovery)
    target = _host_port(url)
    if target[0] not in (configured[0], reached[0]):
        raise SourceError(
            f"{discovery}: the NodeInfo 2.x link points to another host ({href}); "
            f"refused: its figures would not be {source.id}'s"
        )
    if source.api and target[0] == configured[0] and target != reached:
        parts = urlsplit(url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{api_base(source, '')}{parts.path}{query}"
    return url


def parse_document(payload: Any, endpoint: str, version: str, result: SourceResult) -> None:
    document = expect_object(payload, "a NodeInfo document", endpoint)
    usage = document.get("usage")
    if not isinstance(usage, dict):
        raise SourceError(f"{endpoint}: no 'usage' object in the NodeInfo document")
    users = usage.get("users")
    users = users if isinstance(users, dict) else {}
    put(result.metrics, "members", count(users, "total", endpoint))
    put(result.metrics, "active_30d", count(users, "activeMonth", endpoint))
    put(result.metrics, "active_180d", count(users, "activeHalfyear", endpoint))
    put(result.metrics, "active_7d", count(users, "activeWeek", endpoint))
    put(result.metrics, "posts", count(usage, "localPosts", endpoint))
    software = document.get("software")
    software = software if isinstance(software, dict) else {}
    name = software.get("name")
    name = name.strip().lower() if isinstance(name, str) and name.strip() else None
    comments = count(usage, "localComments", endpoint)
    if not (comments == 0 and name in ALWAYS_ZERO_COMMENTS):
        put(result.extra, "local_comments", comments)
    if name:
        result.extra["software"] = name[:64]
    if isinstance(software.get("version"), str) and software["version"].strip():
        result.extra["software_version"] = software["version"].strip()[:64]
    if name == "peertube" and "posts" in result.metrics:
        result.extra["posts_are"] = "videos"
    result.extra["schema"] = version
    if not result.metrics:
        raise SourceError(f"{endpoint}: the NodeInfo document reports no usage figures")


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    discovery = f"{api_base(source, f'https://{source.id}')}/.well-known/nodeinfo"
    version, href = pick_schema(http.get(discovery).json(), discovery)
    endpoint = document_url(href, discovery, source)
    result = SourceResult(endpoint=endpoint)
    parse_document(http.get(endpoint).json(), endpoint, version, result)
    return result
