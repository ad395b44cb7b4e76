"""One exchange over the wire: the request, then its body streamed within a size bound and a
deadline that holds while the body is read (a server sending a ``Content-Length`` and then
dripping bytes, or a body that never ends, is cut off when the deadline passes)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import requests
from requests.structures import CaseInsensitiveDict

from community_metrics.collect.http.errors import FetchError, Transient, connection_reason
from community_metrics.collect.http.response import HttpResponse


def _socket_of(answer: requests.Response) -> socket.socket | None:
    """The socket a streamed answer is read from: the connection's, or, once http.client
    handed the connection over to the response (``Connection: close``), the one under the
    response's file object."""
    sock = getattr(getattr(answer.raw, "connection", None), "sock", None)
    if sock is None:
        file = getattr(getattr(answer.raw, "_fp", None), "fp", None)  # http.client's reader
        sock = getattr(getattr(file, "raw", None), "_sock", None)  # socket.SocketIO
    return sock if isinstance(sock, socket.socket) else None


class _Deadline:
    """The deadline of one exchange from its headers on (the time spent waiting for a free
    connection to a busy host does not count). Reading the body, a blocked ``recv`` returns at the
    deadline at the latest: a timer shuts the socket down (a socket timeout alone restarts with
    every dripped byte)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = threading.Event()

    def passed(self) -> bool:
        return self.expired.is_set() or time.monotonic() > self.ends

    @contextlib.contextmanager
    def guard(self, answer: requests.Response) -> Iterator[None]:
        sock = _socket_of(answer)

        def cut() -> None:
            self.expired.set()
            if sock is not None:
                with contextlib.suppress(OSError):
                    # the plain socket's shutdown, also under TLS: the reader sees end of file
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

        timer = threading.Timer(max(0.0, self.ends - time.monotonic()), cut)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()


def exchange(
    session: requests.Session,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    *,
    timeout: tuple[float, float],
    total_timeout: float,
    max_bytes: int,
) -> HttpResponse:
    """One request and its whole answer, streamed and bounded: ``too_large`` beyond
    ``max_bytes``, a timeout once the body takes more than ``total_timeout``; connection
    failures and timeouts raise ``Transient`` (the caller retries them)."""
    # started once the headers are in: waiting for a free connection to a busy host does
    # not count; connecting and the wait for the headers are bounded by ``timeout``
    deadline: _Deadline | None = None
    still_sending = Transient("timeout", f"{url} was still sending after {total_timeout:g} s")
    try:
        with session.request(
            method,
            url,
            headers=headers,
            data=body,
            timeout=timeout,
            stream=True,
            allow_redirects=False,
        ) as answer:
            deadline = _Deadline(total_timeout)
            answer_headers = CaseInsensitiveDict(answer.headers)
            declared = answer.headers.get("Content-Length", "")
            if declared.isascii() and declared.isdigit():
                if len(declared) > 18:  # int() refuses thousands of digits; no body is that big
                    raise too_large(url, None, max_bytes)
                if int(declared) > max_bytes:
                    raise too_large(url, int(declared), max_bytes)
            received = bytearray()
            with deadline.guard(answer):
                for chunk in answer.iter_content(chunk_size=65536):
                    received.extend(chunk)
                    if len(received) > max_bytes:
                        raise too_large(url, None, max_bytes)
                    if deadline.passed():
                        raise still_sending
            if deadline.expired.is_set():  # cut off: what arrived is not the whole body
                raise still_sending
            return HttpResponse(url, answer.status_code, answer_headers, bytes(received))
    except (FetchError, Transient):
        raise
    except UnicodeError:  # http.client sends headers as Latin-1: a token that is not
        raise FetchError(
            "connection", url, f"request to {url} failed: a header holds non-Latin-1 text"
        ) from None
    except requests.Timeout:
        raise Transient("timeout", f"{url} did not answer within {timeout[1]:g} s") from None
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        if deadline is not None and deadline.expired.is_set():
            raise still_sending from None
        reason = connection_reason(exc)
        raise Transient("connection", f"cannot reach {url}: {reason}") from None
    except requests.RequestException as exc:
        raise FetchError(
            "connection", url, f"request to {url} failed: {exc.__class__.__name__}"
        ) from None


def too_large(url: str, declared: int | None, max_bytes: int) -> FetchError:
    size = f"{declared} bytes" if declared is not None else "more than that"
    return FetchError(
        "too_large",
        url,
        f"{url} sent {size}; the limit is {max_bytes} bytes: not read further",
    )
