"""A real HTTP server on 127.0.0.1, in a thread, serving files from memory for the tests of what the project
downloads. It honours `Range: bytes=N-` (206) or ignores it (200), can close the connection after a number of
bytes, can leave out Content-Length, and records every request it answered."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answered:
    path: str
    range: str | None
    status: int
    sent: int


@dataclass
class FileServer:
    files: dict[str, bytes] = field(default_factory=dict)
    honour_range: bool = True
    send_length: bool = True
    cuts: list[int] = field(default_factory=list)  # the next answers stop after this many body bytes, one each
    answered: list[Answered] = field(default_factory=list)

    def __enter__(self) -> FileServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        data = self.files.get(handler.path)
        asked = handler.headers.get("Range")
        if data is None:
            handler.send_error(404)
            self.answered.append(Answered(handler.path, asked, 404, 0))
            return
        start = int(asked.removeprefix("bytes=").rstrip("-")) if asked and self.honour_range else 0
        status = 206 if asked and self.honour_range else 200
        body = data[start:]
        length = len(body)
        if self.cuts:
            body = body[: self.cuts.pop(0)]
        # Recorded before anything goes out: a client that refuses the headers may be done before this thread runs on.
        self.answered.append(Answered(handler.path, asked, status, len(body)))
        handler.send_response(status)
        if status == 206:
            handler.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        if self.send_length:
            handler.send_header("Content-Length", str(length))
        handler.end_headers()
        try:
            handler.wfile.write(body)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (a refused answer): what it did read is all it gets
        handler.close_connection = True
