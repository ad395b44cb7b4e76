"""The one definition of a successful collection run, used by ``invoke snapshot``'s exit status
and by the nightly job's verdict (``scripts/nightly.py``), so the two can never disagree.

A run succeeded when it asked no source at all (an empty registry, or one with manual values
only), or when at least one source it asked answered (``ok`` or ``partial``) during the run.
Manual values are typed into ``communities.yml``: they are never collected, so they are never
counted as a success or a failure (they reach the history through ``load_history(manual=…)``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from community_metrics.contract.model import Observation, parse_timestamp

#: Platforms whose values come from the registry itself: no request, never collected.
NOT_COLLECTED_PLATFORMS = frozenset({"manual"})


def is_collected(platform: str) -> bool:
    return platform not in NOT_COLLECTED_PLATFORMS


def run_succeeded(observations: Iterable[Observation], since: datetime | None = None) -> bool:
    """True when no collected source was asked, or one of them answered in this run (observed
    at or after ``since`` when given: a value carried from an earlier run is not an answer)."""
    asked = [o for o in observations if is_collected(o.platform)]
    if not asked:
        return True
    for observation in asked:
        if not observation.is_good:
            continue
        if since is None:
            return True
        if observation.observed_at and parse_timestamp(observation.observed_at) >= since:
            return True
    return False
