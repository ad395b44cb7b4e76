"""Community Pulse: the Pelican plugin that turns community snapshots into pages."""


def register() -> None:
    """Connect the plugin's signals (filled in by the dashboard work)."""
