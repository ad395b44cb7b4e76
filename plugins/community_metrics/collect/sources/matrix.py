"""Matrix room: the homeserver's room directory,
``GET https://{homeserver}/_matrix/client/v3/publicRooms`` (paginated with ``since``).

Docs: https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3publicrooms . Traps:
- the GET form cannot filter; we page through ``chunk`` (largest rooms first on Synapse),
  matching ``canonical_alias`` (or, on old servers, ``aliases``), for at most ``max_pages``;
- ``total_room_count_estimate`` counts rooms, not people;
- many homeservers (Synapse's ``allow_public_rooms_without_auth: false``) require an access
  token for the directory and answer 401 ``{"errcode": "M_MISSING_TOKEN"}`` (matrix.org does,
  matrix-org/matrix-spec#1835): the error says so and names ``MATRIX_TOKEN`` (or ``token_env``);
  a token that is set but refused (``M_UNKNOWN_TOKEN``) is named, never shown.
- the homeserver's client API may live on another host than the alias's server name
  (``.well-known`` delegation, e.g. matrix-client.matrix.org): give it as ``api:``.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from community_metrics.collect.http import Auth, FetchError
from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, count, expect_object, put
from community_metrics.registry.platforms import MATRIX_DEFAULT_PAGES, MATRIX_PAGE_SIZE

TOKEN_ENV = "MATRIX_TOKEN"  # noqa: S105 -- a variable name

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig


def _matches(room: dict[str, Any], alias: str) -> bool:
    aliases = room.get("aliases")
    return room.get("canonical_alias") == alias or (isinstance(aliases, list) and alias in aliases)


def _errcode(exc: FetchError) -> str:
    """`` M_MISSING_TOKEN``-style code of a Matrix error body, if any."""
    try:
        error = json.loads(exc.body) if exc.body else None
    except (UnicodeDecodeError, ValueError):
        return ""
    code = error.get("errcode") if isinstance(error, dict) else None
    return f" {code[:40]}" if isinstance(code, str) else ""


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    alias = source.id
    server = alias.partition(":")[2]
    endpoint = f"{api_base(source, f'https://{server}')}/_matrix/client/v3/publicRooms"
    max_pages = int(source.options.get("max_pages", MATRIX_DEFAULT_PAGES))
    env = source.token_env or TOKEN_ENV
    auth = Auth(env)
    has_token = bool(os.environ.get(env))
    since: str | None = None
    for page in range(1, max_pages + 1):
        params = {"limit": str(MATRIX_PAGE_SIZE)}
        if since:
            params["since"] = since
        try:
            response = http.get(endpoint, params=params, auth=auth)
        except FetchError as exc:
            if exc.status in (401, 403) and has_token:
                raise SourceError(
                    f"{endpoint}: the homeserver refused the access token in ${env} "
                    f"({exc.status}{_errcode(exc)}): renew it (Element: Settings, Help & About, "
                    "Access token) or give another homeserver as api:"
                ) from None
            if exc.status == 401 or (exc.status == 403 and page == 1):
                raise SourceError(
                    f"{endpoint}: this homeserver requires an access token to read its room "
                    f"directory ({exc.status}{_errcode(exc)}); set ${env} to the access token "
                    "of any account on it (a repository secret; Element: Settings, Help & About, "
                    "Access token), or give another homeserver as api:"
                ) from None
            raise
        directory = expect_object(response.json(), "a room directory", endpoint)
        chunk = directory.get("chunk")
        if not isinstance(chunk, list):
            raise SourceError(f"{endpoint}: no 'chunk' list in the room directory")
        for room in chunk:
            if isinstance(room, dict) and _matches(room, alias):
                result = SourceResult(endpoint=endpoint)
                put(result.metrics, "members", count(room, "num_joined_members", endpoint))
                if not result.metrics:
                    raise SourceError(f"{endpoint}: room {alias} has no num_joined_members")
                result.extra["directory_page"] = page
                return result
        since = directory.get("next_batch")
        if not isinstance(since, str) or not since:
            raise SourceError(
                f"{endpoint}: room {alias} is not in the public room directory "
                f"({page} page(s) read); is it published there?"
            )
    raise SourceError(
        f"{endpoint}: room {alias} not found in the first {max_pages} pages of "
        "the room directory; raise max_pages"
    )
