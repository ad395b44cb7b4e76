"""The fast path of reading observations never accepts what the checked path refuses, and
gives the same Observation when it accepts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from community_metrics.contract.model import (
    METRICS,
    STATUSES,
    ContractError,
    Observation,
    _observation_fast,
)

timestamps = st.sampled_from(
    [
        "2026-11-22T03:12:09Z",
        "2017-03-01T00:00:00Z",
        "2026-11-22T03:12:09.5+05:30",
        "2026-02-30T00:00:00Z",
        "2026-11-22T03:12:09",
        "20261122T031209Z",
        "2026-11-22T03:12:09Z\n",
        "",
        None,
        5,
    ]
)
numbers = st.sampled_from(
    [0, 5, 41234, 2**63, 2**63 + 1, -1, 1.5, -0.0, float("nan"), float("inf"), True, "3", None]
)
texts = st.sampled_from(["python", "discourse", "discourse:x", "", None, 3])
observations = st.fixed_dictionaries(
    {
        "community": texts,
        "platform": texts,
        "source": texts,
        "status": st.sampled_from([*STATUSES, "fine", 1]),
    },
    optional={
        "metrics": st.one_of(
            st.dictionaries(st.sampled_from([*METRICS, "likes"]), numbers, max_size=3),
            st.none(),
            st.just([1]),
        ),
        "created_at": timestamps,
        "observed_at": timestamps,
        "endpoint": texts,
        "error": texts,
        "extra": st.sampled_from([{}, {"a": 1}, None, [1]]),
    },
)


ACCEPTED: list[bool] = []


@settings(max_examples=1500, deadline=None)
@given(observations)
def test_fast_path_agrees_with_checked_path(data: dict) -> None:
    fast = _observation_fast(data)
    try:
        checked = Observation.from_dict(data)
    except ContractError:
        assert fast is None
        return
    assert fast is None or fast == checked
    ACCEPTED.append(fast is not None)


def test_fast_path_takes_the_common_case() -> None:
    data = {
        "community": "python",
        "platform": "discourse",
        "source": "discourse:discuss.python.org",
        "status": "ok",
        "metrics": {"members": 41234, "active_30d": 5123.5},
        "created_at": "2017-03-01T00:00:00Z",
        "observed_at": "2026-11-22T03:12:04Z",
        "endpoint": "https://discuss.python.org/about.json",
        "error": None,
    }
    assert _observation_fast(data) == Observation.from_dict(data)
    assert _observation_fast({**data, "metrics": {"members": True}}) is None


def test_the_property_saw_accepted_observations() -> None:
    # guards the property above against a strategy that only ever produces refusals
    test_fast_path_agrees_with_checked_path()
    assert any(ACCEPTED)
