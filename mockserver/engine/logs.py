"""What the server says on stderr: one line per request, and the warnings of the engine
(a failed webhook delivery...), as text or as JSON lines for log tools.

The request line must cost next to nothing on the request path (bench/ measures it): the
request thread only appends the entry to a list; a background thread formats and writes
what piled up, a few times a second.
"""

from __future__ import annotations

import atexit
import json
import logging
import sys
import threading
import time
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from mockserver.engine.journal import Exchange, key_hint, redact_query

FORMATS = ("text", "json")
FLUSH_EVERY = 0.05  # seconds
BATCH = 100  # lines formatted at a time (about 0.1 ms)


class RequestLog:
    def __init__(self, fmt: str = "text", stream: IO[str] | None = None) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"log format must be one of {FORMATS}")
        self.format = fmt
        self._stream = stream
        self._pending: list[Exchange] = []
        self._lock = threading.Lock()
        self._second = -1
        self._second_text = ""
        self._thread: threading.Thread | None = None

    def write(self, entry: Exchange) -> None:
        self._pending.append(entry)  # list.append is atomic under the interpreter lock
        if self._thread is None:
            self._start()

    def _start(self) -> None:
        # Started on first use, in the process that serves (granian forks after start-up).
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mockserver-log", daemon=True)
                self._thread.start()
                atexit.register(self.flush)  # the last lines, at a clean stop

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
            if not pending:
                return
            stream = self._stream or sys.stderr
            render = self._json if self.format == "json" else self._text
            try:
                # In small batches, letting go of the interpreter lock between them: a
                # request arriving meanwhile waits for one batch, not for all of them.
                for start in range(0, len(pending), BATCH):
                    stream.write("".join(render(entry) for entry in pending[start : start + BATCH]))
                    time.sleep(0)
                stream.flush()
            except (OSError, ValueError):  # stderr closed: nobody to tell
                pass

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_EVERY)
            self.flush()

    def _stamp(self, at: float) -> str:
        """`2026-12-06T20:49:09`, made once a second (lines come by the thousand)."""
        second = int(at)
        if second != self._second:
            self._second = second
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return self._second_text

    def _text(self, entry: Exchange) -> str:
        events = f" events={','.join(e['event'] for e in entry.events)}" if entry.events else ""
        query = f"?{redact_query(entry.query)}" if entry.query else ""
        return (
            f"{self._stamp(entry.at)}Z {entry.provider} {entry.method} {entry.path}{query} {entry.status} "
            f"{entry.duration_ms:.1f}ms key={key_hint(entry.api_key) or '-'}{events}\n"
        )

    def _json(self, entry: Exchange) -> str:
        line = {
            "time": f"{self._stamp(entry.at)}.{int(entry.at * 1000) % 1000:03d}Z",
            "level": "INFO",
            "kind": "request",
            "provider": entry.provider,
            "method": entry.method,
            "path": entry.path,
            "query": redact_query(entry.query),
            "status": entry.status,
            "ms": entry.duration_ms,
            "key": key_hint(entry.api_key),
            "operationId": entry.operation_id,
            "events": [e["event"] for e in entry.events],
        }
        return orjson.dumps(line).decode() + "\n"


class JsonLogFormatter(logging.Formatter):
    """Engine log records (warnings, errors) as JSON lines, beside the request lines."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(fmt: str | None) -> None:
    """Engine log records on stderr in the format given (None: the quiet text default)."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
