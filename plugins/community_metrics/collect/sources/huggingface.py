"""Hugging Face organization: ``GET https://huggingface.co/api/organizations/{name}/overview``.

Docs: ``HfApi.get_organization_overview`` and its ``Organization`` class in huggingface_hub
(src/huggingface_hub/hf_api.py: ``numUsers``, ``numModels``, ``numSpaces``, ``numDatasets``,
``numFollowers``, ``numPapers``). Traps: every count is optional; ``numUsers`` counts the
organization's members (our ``contributors``), not its audience (``numFollowers``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, count, expect_object, put
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["huggingface"].default_api
EXTRA = {"numModels": "models", "numDatasets": "datasets", "numSpaces": "spaces"}


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    name = quote(source.id, safe="")
    endpoint = f"{api_base(source, DEFAULT_API)}/api/organizations/{name}/overview"
    org = expect_object(http.get(endpoint).json(), "an organization", endpoint)
    if "name" not in org and "numFollowers" not in org:
        raise SourceError(f"{endpoint}: the answer is not an organization overview")
    result = SourceResult(endpoint=endpoint)
    put(result.metrics, "members", count(org, "numFollowers", endpoint))
    put(result.metrics, "contributors", count(org, "numUsers", endpoint))
    for field, extra in EXTRA.items():
        put(result.extra, extra, count(org, field, endpoint))
    if not result.metrics:
        raise SourceError(f"{endpoint}: neither numFollowers nor numUsers in the answer")
    return result
