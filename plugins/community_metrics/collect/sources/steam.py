"""Steam community group: ``GET https://steamcommunity.com/groups/{name}/memberslistxml/?xml=1``.

No official reference documents this XML; its shape (``memberList`` ->
``groupDetails`` -> ``memberCount``, ``membersInChat``, ``membersInGame``, ``membersOnline``,
then the first page of members' ``steamID64``) is the one Steam serves. Traps:
- every value is element text: parsed as a count, absent when the element is missing or empty;
- the body lists members' Steam ids: only the counts are read, ids are never kept;
- the body is XML from the network: parsed with ``defusedxml``, which refuses entity
  declarations (the "billion laughs" expansion bomb) and external entities;
- a group that does not exist answers an HTML page or an XML ``<response><error>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import fromstring

from community_metrics.collect.sources.base import SourceError, SourceResult
from community_metrics.collect.sources.common import api_base, count, put
from community_metrics.registry.platforms import PLATFORMS

if TYPE_CHECKING:
    from community_metrics.collect.http import HttpClient
    from community_metrics.registry.config import SourceConfig

DEFAULT_API = PLATFORMS["steam"].default_api
#: what defusedxml refused, for the message (Steam's real answer declares none of these)
REFUSED = {
    DTDForbidden: "a document type (DTD), which can define expanding or external entities",
    EntitiesForbidden: "entities (an expansion bomb or an external entity)",
    ExternalReferenceForbidden: "an external reference",
}
#: element of groupDetails -> where it goes
FIELDS = {
    "memberCount": ("metrics", "members"),
    "membersOnline": ("metrics", "online"),
    "membersInChat": ("extra", "in_chat"),
    "membersInGame": ("extra", "in_game"),
}


def parse_group_xml(body: bytes, endpoint: str) -> Element:
    """The document's root, refusing entity declarations and external entities."""
    start = body.lstrip()[:200].lower()
    if start.startswith(b"<!doctype html") or start.startswith(b"<html"):
        raise SourceError(f"{endpoint} returned an HTML page, not the group's XML")
    try:
        return fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        what = REFUSED.get(type(exc), "a forbidden XML construct")
        raise SourceError(f"{endpoint}: the XML declares {what}: refused, not parsed") from None
    except ParseError as exc:
        raise SourceError(f"{endpoint}: the answer is not well-formed XML ({exc})") from None


def fetch(source: SourceConfig, http: HttpClient) -> SourceResult:
    endpoint = f"{api_base(source, DEFAULT_API)}/groups/{quote(source.id, safe='')}/memberslistxml/"
    response = http.get(endpoint, params={"xml": "1"})
    root = parse_group_xml(response.body, endpoint)
    if root.tag != "memberList":
        error = root.findtext("error") if root.tag == "response" else None
        said = f" ({error.strip()})" if error else ""
        raise SourceError(f"{endpoint}: no group '{source.id}'{said}: got <{root.tag}>")
    details = root.find("groupDetails")
    if details is None:
        raise SourceError(f"{endpoint}: no <groupDetails> in the member list")
    values = {child.tag: (child.text or "").strip() for child in details if child.tag in FIELDS}
    result = SourceResult(endpoint=f"{endpoint}?xml=1")
    for tag, (where, name) in FIELDS.items():
        text = values.get(tag)
        value = count({tag: text}, tag, endpoint) if text else None
        put(getattr(result, where), name, value)
    if "members" not in result.metrics:
        raise SourceError(f"{endpoint}: no <memberCount> in <groupDetails>")
    return result
