"""The plugin's own signals, in blinker's default namespace like Pelican's (``pelican.signals``).

``community_metrics_generator_finalized`` is sent with the generator as sender once its
``generate_context`` has computed everything (``generator.pulse`` is set): another plugin can
connect to it to read or extend the pages' data, as with ``article_generator_finalized``.
"""

from __future__ import annotations

from pelican.plugins.signals import signal

community_metrics_generator_finalized = signal("community_metrics_generator_finalized")
