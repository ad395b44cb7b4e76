"""Open Collective collective: ``GET https://opencollective.com/{slug}.json``, then its creation
date from GraphQL v2 (``POST https://api.opencollective.com/graphql/v2``).

Docs: the ``info`` controller of https://github.com/opencollective/opencollective-rest
(``{slug, currency, image, balance, yearlyIncome, backersCount, contributorsCount}``; money in
cents) and https://graphql-docs-v2.opencollective.com (``account(slug:) { createdAt }``).
Traps:
- ``contributorsCount`` counts the GitHub contributors Open Collective recorded for the
  collective (``Object.keys(data.githubContributors || {}).length``): 0 means "none recorded",
  not "nobody contributed", so a 0 leaves ``contributors`` absent;
- the JSON answer has no date: the creation date is a further request, whose failure leaves the
  source partial; GraphQL reports errors in a 200 answer (``errors``, ``data.account: null``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import (
    api_base,
    count,
    expect_object,
    further,
    put,
    when,
)
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["opencollective"].default_api
GRAPHQL = "https://api.opencollective.com/graphql/v2"
CREATED_QUERY = "query account($slug: String) { account(slug: $slug) { createdAt } }"


def graphql_url(source: SourceConfig) -> str:
    """The GraphQL endpoint; with an ``api:`` override, under that base (tests, staging)."""
    return f"{api_base(source, '')}/graphql/v2" if source.api else GRAPHQL


def _created_at(source: SourceConfig, http: HttpClient, result: SourceResult) -> None:
    url = graphql_url(source)
    body = {"query": CREATED_QUERY, "variables": {"slug": source.id}}
    payload = expect_object(http.post(url, json_body=body).json(), "a GraphQL answer", url)
    errors = payload.get("errors")
    data = payload.get("data")
    account = data.get("account") if isinstance(data, dict) else None
    if not isinstance(account, dict):
        said = ""
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            said = f": {str(errors[0].get('message', ''))[:200]}"
        raise SourceError(f"{url}: no account '{source.id}' in the answer{said}")
    result.created_at = when(account.get("createdAt"), "createdAt", url)


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    endpoint = f"{api_base(source, DEFAULT_API)}/{source.id}.json"
    collective = expect_object(http.get(endpoint).json(), "a collective", endpoint)
    if "slug" not in collective and "backersCount" not in collective:
        raise SourceError(f"{endpoint}: the answer is not a collective")
    result = SourceResult(endpoint=endpoint)
    put(result.metrics, "members", count(collective, "backersCount", endpoint))
    contributors = count(collective, "contributorsCount", endpoint)
    if contributors:  # 0: no GitHub contributors recorded, which is not a count of zero
        result.metrics["contributors"] = contributors
    if isinstance(collective.get("currency"), str):
        result.extra["currency"] = collective["currency"][:8]
    put(result.extra, "balance_cents", count(collective, "balance", endpoint))
    put(result.extra, "yearly_income_cents", count(collective, "yearlyIncome", endpoint))
    if not result.metrics:
        raise SourceError(f"{endpoint}: neither backersCount nor contributorsCount")
    further(result, "creation date (GraphQL v2)", lambda: _created_at(source, http, result))
    return result
