"""A fork server for the crash-safety test: imports the collector once, then for each
``RUN <args...>`` line on stdin forks a child that runs the real snapshot command. It prints
``PID <pid>`` as soon as the child exists and ``EXIT <pid> <status>`` when it ends (killed or
not). Forking skips the interpreter and import start-up, so 50 kills take seconds, not minutes.
"""

from __future__ import annotations

import os
import sys

from community_metrics.collect.command import main


def serve() -> None:
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] != "RUN":
            continue
        pid = os.fork()
        if pid == 0:  # the child: one real collector run, then leave without cleanup handlers
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            status = 3
            try:
                status = main(words[1:])
            finally:
                os._exit(status)
        print(f"PID {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"EXIT {pid} {status}", flush=True)


if __name__ == "__main__":
    serve()
