"""The VCR.py adapter: record or replay exchanges in VCR.py's cassette format (YAML).

Uses these vcrpy APIs beyond ``use_cassette`` (hence the pin in pyproject.toml):
``vcr.cassette.Cassette`` (``load``, ``play_response``, ``responses_of``, ``append``, ``data``,
``requests``, ``responses``), ``vcr.request.Request``, ``vcr.matchers``,
``vcr.record_mode.RecordMode``, ``vcr.errors.UnhandledHTTPRequestError``,
``vcr.serialize.serialize`` and ``vcr.serializers.yamlserializer``.

Everything recorded passes the client's ``Redactor``: the URL, the headers and the body when an
exchange is added, and the whole serialised text once more when the file is written.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any

from requests.structures import CaseInsensitiveDict

from community_metrics.collect.http.redact import Redactor
from community_metrics.collect.http.response import HttpResponse

logger = logging.getLogger(__name__)


class Cassette:
    """Record or replay exchanges in VCR.py's cassette format (YAML), safe across threads.

    VCR.py's ``use_cassette`` patches ``http.client`` process-wide, which is not safe with
    requests running in many threads; instead this keeps one ``vcr.cassette.Cassette`` object
    and calls it under a lock, matching on method + URL with the query order-insensitive.
    """

    def __init__(self, path: Path, *, mode: str, redactor: Redactor | None = None):
        from vcr import matchers
        from vcr.cassette import Cassette as VcrCassette
        from vcr.record_mode import RecordMode

        match_on = (
            matchers.method,
            matchers.scheme,
            matchers.host,
            matchers.port,
            matchers.path,
            matchers.query,
        )

        self.path = Path(path)
        self.redactor = redactor if redactor is not None else Redactor()
        self.mode = mode
        self._lock = threading.Lock()
        if mode == "replay":
            if not self.path.is_file():
                raise FileNotFoundError(f"cassette {self.path} does not exist")
            try:
                self._cassette = VcrCassette.load(
                    path=str(self.path), record_mode=RecordMode.NONE, match_on=match_on
                )
            except Exception as exc:  # vcr raises ValueError/YAMLError/KeyError on bad files
                raise ValueError(f"cassette {self.path} cannot be read: {exc}") from None
            if not len(self._cassette.data):
                raise ValueError(f"cassette {self.path} holds no recorded request")
        else:
            self._cassette = VcrCassette(
                str(self.path), record_mode=RecordMode.ALL, match_on=match_on
            )

    @staticmethod
    def _request(url: str, headers: Mapping[str, str], method: str = "GET") -> Any:
        from vcr.request import Request

        # request bodies are not recorded: they may carry a secret (a client-credentials grant)
        return Request(method, url, None, dict(headers))

    def play(
        self, url: str, headers: Mapping[str, str], method: str = "GET"
    ) -> HttpResponse | None:
        """The next recorded answer to ``method url``: recorded answers play once each, in
        order (a 429 then its retry), and the last one repeats once all are played."""
        from vcr.errors import UnhandledHTTPRequestError

        request = self._request(url, headers, method)
        with self._lock:
            try:
                recorded = self._cassette.play_response(request)
            except UnhandledHTTPRequestError:
                try:
                    recorded = self._cassette.responses_of(request)[-1]
                except UnhandledHTTPRequestError:
                    return None
        answer_headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        for name, values in (recorded.get("headers") or {}).items():
            answer_headers[name] = ", ".join(values) if isinstance(values, list) else str(values)
        body = (recorded.get("body") or {}).get("string", b"")
        if isinstance(body, str):
            body = body.encode("utf-8")
        return HttpResponse(url, int(recorded["status"]["code"]), answer_headers, body)

    def add(
        self, url: str, headers: Mapping[str, str], response: HttpResponse, method: str = "GET"
    ) -> None:
        """Record one exchange; a server may echo the token back (error bodies, headers), so
        every part passes the redactor first."""
        clean = self.redactor.text
        try:
            message = HTTPStatus(response.status).phrase
        except ValueError:
            message = ""
        recorded = {
            "status": {"code": response.status, "message": message},
            "headers": {clean(name): [clean(value)] for name, value in response.headers.items()},
            "body": {"string": self.redactor.bytes(response.body)},
        }
        request = self._request(clean(url), {k: clean(v) for k, v in headers.items()}, method)
        with self._lock:
            self._cassette.append(request, recorded)

    def save(self) -> None:
        """Write the cassette atomically (temporary file + rename)."""
        from vcr.serialize import serialize
        from vcr.serializers import yamlserializer

        if self.mode != "record":
            return
        with self._lock:
            text = serialize(
                {"requests": self._cassette.requests, "responses": self._cassette.responses},
                yamlserializer,
            )
        text = self.redactor.secrets(text)  # the last gate before the disk
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.path)
        logger.info("community_metrics: recorded %d exchanges in %s", len(self), self.path)

    def __len__(self) -> int:
        return len(self._cassette.data)
