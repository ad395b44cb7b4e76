"""Community Pulse: the Pelican plugin that turns community snapshots into pages."""
