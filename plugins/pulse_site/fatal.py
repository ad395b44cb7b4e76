"""``--fatal warnings`` without a traceback.

Pelican stops a ``--fatal warnings`` build by raising ``RuntimeError("Warning or error
encountered")`` from inside its logger, then logs that exception with its traceback. The stop
is intended and the warning above it already names the file, line and fix, so the traceback
only buries it. This filter keeps the critical line and drops the traceback of that one
exception; every other exception keeps its traceback.
"""

from __future__ import annotations

import logging
from typing import Any

PELICAN_FATAL_MESSAGE = "Warning or error encountered"


class FatalStopWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, RuntimeError) and str(error) == PELICAN_FATAL_MESSAGE:
            record.exc_info = None
            record.msg = "%s"
            record.args = (
                "the build stopped at the first warning or error (--fatal); "
                "the message above says what to fix",
            )
        return True


def install_filter(pelican: Any = None) -> None:
    """Attach the filter to Pelican's own logger once (builds may repeat in one process)."""
    logger = logging.getLogger("pelican")
    if not any(isinstance(f, FatalStopWithoutTraceback) for f in logger.filters):
        logger.addFilter(FatalStopWithoutTraceback())
