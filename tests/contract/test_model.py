"""The snapshot contract (schema_version 1): what parses, and how a violation is named."""

import copy

import pytest

from community_metrics.contract.model import ContractError, Observation, Snapshot

GOOD = {
    "schema_version": 1,
    "date": "2026-11-22",
    "generated_at": "2026-11-22T03:12:09Z",
    "synthetic": False,
    "observations": [
        {
            "community": "python",
            "platform": "discourse",
            "source": "discourse:discuss.python.org",
            "status": "ok",
            "metrics": {"members": 41234, "active_7d": 2100, "posts": 512345},
            "created_at": "2017-03-01T00:00:00Z",
            "observed_at": "2026-11-22T03:12:04Z",
            "endpoint": "https://discuss.python.org/about.json",
            "error": None,
        },
        {
            "community": "python",
            "platform": "reddit",
            "source": "reddit:Python",
            "status": "error",
            "metrics": {},
            "created_at": None,
            "observed_at": None,
            "endpoint": "https://www.reddit.com/r/Python/about.json",
            "error": "429 Too Many Requests",
        },
    ],
}


def test_round_trip_is_identity():
    snapshot = Snapshot.from_dict(copy.deepcopy(GOOD))
    assert snapshot.to_dict() == GOOD


def test_extra_is_kept_and_only_written_when_present():
    data = copy.deepcopy(GOOD)
    data["observations"][0]["extra"] = {"forks": 12}
    snapshot = Snapshot.from_dict(data)
    assert snapshot.observations[0].extra == {"forks": 12}
    assert "extra" not in snapshot.to_dict()["observations"][1]


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d.update(schema_version=2), "$.schema_version"),
        (lambda d: d.update(date="2026-13-01"), "$.date"),
        (lambda d: d.update(date="22/11/2026"), "$.date"),
        (lambda d: d.update(synthetic="no"), "$.synthetic"),
        (lambda d: d.update(observations={}), "$.observations"),
        (lambda d: d.update(generated_at="yesterday"), "$.generated_at"),
        (lambda d: d["observations"][0].update(status="fine"), "$.observations[0].status"),
        (lambda d: d["observations"][0]["metrics"].update(members=-1), "members"),
        (lambda d: d["observations"][0]["metrics"].update(members="41234"), "members"),
        (lambda d: d["observations"][0]["metrics"].update(members=True), "members"),
        (lambda d: d["observations"][0]["metrics"].update(likes=3), "likes"),
        (lambda d: d["observations"][0].update(observed_at=None), "observed_at"),
        (lambda d: d["observations"][0].update(community=""), "community"),
        (lambda d: d["observations"].append(copy.deepcopy(d["observations"][0])), "duplicate"),
    ],
)
def test_violations_are_named_with_their_path(mutate, where):
    data = copy.deepcopy(GOOD)
    mutate(data)
    with pytest.raises(ContractError) as info:
        Snapshot.from_dict(data)
    assert where in str(info.value)


def test_observations_are_written_in_a_stable_order():
    data = copy.deepcopy(GOOD)
    data["observations"].reverse()
    written = Snapshot.from_dict(data).to_dict()["observations"]
    assert [o["source"] for o in written] == ["discourse:discuss.python.org", "reddit:Python"]


def test_error_observation_needs_no_observed_at_but_ok_does():
    Observation.from_dict(GOOD["observations"][1])
    bad = dict(GOOD["observations"][0], observed_at=None)
    with pytest.raises(ContractError):
        Observation.from_dict(bad)
