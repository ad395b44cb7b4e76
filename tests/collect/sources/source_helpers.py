"""Documented-shape response bodies of the platform tests (tests/collect/sources/fixtures/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from community_metrics.registry.platforms import required_tokens

FIXTURES = Path(__file__).parent / "fixtures"


def body(name: str) -> Any:
    """A fixture body, e.g. ``body("github/repo.json")``."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


#: the secrets without which a source cannot even build its request (the others are optional:
#: with them set, the request would carry a key the committed cassette does not hold)
REQUIRED_SECRETS = required_tokens()


def set_replay_secrets(monkeypatch) -> None:
    """Token sources cannot build their requests without their secret (Telegram's sits in the
    path): a dummy value, which the cassette holds only as ``***``, like a real one."""
    for name in REQUIRED_SECRETS:
        monkeypatch.setenv(name, "replay-test-secret")
