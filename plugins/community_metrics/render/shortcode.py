"""A parsed ``{metric …}`` or ``{chart …}`` shortcode: what a post asks the pages to render.
The Markdown side (``glue/shortcodes.py``) parses it; ``render/pages.py`` renders it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shortcode:
    kind: str  # "metric" or "chart"
    community: str
    metric: str
    latest: bool = False
    window_days: int | None = None  # charts only; None = the whole history

    @property
    def text(self) -> str:
        parts = [self.kind, self.community, self.metric]
        if self.window_days is not None:
            parts.append(f"{self.window_days}d")
        if self.latest:
            parts.append("latest")
        return "{" + " ".join(parts) + "}"
