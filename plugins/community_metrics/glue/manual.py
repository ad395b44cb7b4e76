"""Manual values: read from the registry here, handed to ``load_history`` as plain
``ManualValue``s. This is the one path by which typed values reach the history; the manual
platform is never collected into snapshots (``collect.verdict``)."""

from __future__ import annotations

from community_metrics.registry.config import Registry
from community_metrics.store.history import ManualValue


def manual_values(registry: Registry | None) -> list[ManualValue]:
    """Every dated value typed in ``registry`` (platform ``manual``), inline or from CSV."""
    if registry is None:
        return []
    found = []
    for community in registry.communities:
        for source in community.sources:
            if source.platform != "manual":
                continue
            created = source.options.get("created_at")
            for value in source.options.get("values") or []:
                found.append(
                    ManualValue(
                        community=source.community,
                        source=source.label,
                        metric=value["metric"],
                        date=value["date"],
                        value=value["value"],
                        note=value.get("note") or "",
                        created_at=str(created) if created else None,
                    )
                )
    return found
