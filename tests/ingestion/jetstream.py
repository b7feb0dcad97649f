"""Bluesky's services on 127.0.0.1, speaking their real wire: a Jetstream that replays recorded frames over
WebSocket (honouring `cursor`), and an AppView that answers `app.bsky.actor.getProfiles`.

The Jetstream can be told, per connection, to drop the connection abruptly after some frames or to
hold before a frame until the test releases it; it records the query of every connection.
"""
from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

import orjson
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "jetstream"


def frames_load(name: str = "stream.jsonl") -> list[bytes]:
    """The recorded frames, one a line, exactly as written (malformed ones included)."""
    return [line for line in (FIXTURES / name).read_bytes().split(b"\n") if line]


def frame_time(frame: bytes) -> int | None:
    try:
        event = orjson.loads(frame)
    except orjson.JSONDecodeError:
        return None
    value = event.get("time_us") if isinstance(event, dict) else None
    return value if isinstance(value, int) else None


@dataclass
class Script:
    """What one connection does: `drop_after` frames then the TCP connection is cut (no close frame);
    `hold_before` a frame index (into the whole list) until `release` is set."""

    drop_after: int | None = None
    hold_before: int | None = None
    release: threading.Event = field(default_factory=threading.Event)


class JetstreamServer:
    """A local Jetstream replaying `frames`. A connection with `cursor` gets the frames from the first
    one whose time is at or after it (a malformed frame counts at its predecessor's time), as Jetstream
    replays from a cursor; without one, all of them. Then it stays open, quiet, like a live stream."""

    def __init__(self, frames: list[bytes], *, scripts: list[Script] | None = None):
        self.frames = frames
        self.scripts = list(scripts or [])
        self.queries: list[dict[str, str]] = []
        self.sent = 0
        self.closing = threading.Event()
        times, last = [], 0
        for frame in frames:
            last = frame_time(frame) or last
            times.append(last)
        self.times = times
        self._server = serve(self._handle, "127.0.0.1", 0, max_size=None, compression=None)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/subscribe"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> JetstreamServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self._server.shutdown()
        self._thread.join(timeout=5)

    def cursors(self) -> list[int | None]:
        return [int(q["cursor"]) if "cursor" in q else None for q in self.queries]

    def _handle(self, connection: ServerConnection) -> None:
        query = dict(parse_qsl(urlsplit(connection.request.path if connection.request else "").query))
        number = len(self.queries)
        self.queries.append(query)
        script = self.scripts[number] if number < len(self.scripts) else Script()
        cursor = int(query["cursor"]) if "cursor" in query else None
        start = next((i for i, t in enumerate(self.times) if cursor is None or t >= cursor), len(self.frames))
        try:
            for count, index in enumerate(range(start, len(self.frames))):
                if script.drop_after is not None and count >= script.drop_after:
                    connection.socket.close()  # cut, as a network failure would: no close frame
                    return
                if script.hold_before == index:
                    while not script.release.wait(0.05):
                        if self.closing.is_set():
                            return
                connection.send(self.frames[index].decode("utf-8", "surrogateescape"))
                self.sent += 1
            while not self.closing.is_set():
                with contextlib.suppress(TimeoutError):
                    connection.recv(timeout=0.1)
        except (ConnectionClosed, OSError):
            return


class AppViewServer:
    """A local AppView answering getProfiles from `profiles` (did → profile object); a DID it does not know
    is left out of the answer, as the real one leaves out deleted accounts. `failing` answers 502."""

    def __init__(self, profiles: dict[str, dict[str, str]]):
        self.profiles = profiles
        self.requests: list[list[str]] = []
        self.failing = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                if parts.path != "/xrpc/app.bsky.actor.getProfiles":
                    self._answer(404, {"error": "MethodNotImplemented"})
                    return
                actors = parse_qs(parts.query).get("actors", [])
                server.requests.append(actors)
                if server.failing:
                    self._answer(502, {"error": "UpstreamFailure", "message": "upstream failed"})
                elif len(actors) > 25:
                    self._answer(400, {"error": "InvalidRequest", "message": "actors must not have more than 25 elements"})
                else:
                    found = [{"did": did, **server.profiles[did]} for did in actors if did in server.profiles]
                    self._answer(200, {"profiles": found})

            def _answer(self, status: int, body: dict[str, object]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> AppViewServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# Profiles of the recorded authors, as the AppView returns them (Fer's account is not listed).
PROFILES = {
    "did:plc:ana4mx2k7ypq3rv6w5z2l": {
        "handle": "ana.bsky.social", "displayName": "Ana 🌵", "description": "Regia de corazón. Vivo en Monterrey, Nuevo León.",
    },
    "did:plc:beto7oax3n2kq5xw4h6t": {"handle": "beto.bsky.social", "displayName": "Beto", "description": "Oaxaca de Juárez"},
    "did:plc:carla2v6mq7w3ds5k4y8": {"handle": "carla.bsky.social", "displayName": "Carla", "description": "Opino de todo."},
    "did:plc:dani5qz8r2mxt7lw3c4v": {"handle": "dani.bsky.social", "displayName": "Dani desde CDMX"},
    "did:plc:emi3w8k2r6zq5np7t4yh": {"handle": "emi.bsky.social", "displayName": "Emi", "description": "Madrid, España"},
}

# The posts of stream.jsonl that are Spanish and match the original dictionary, by at:// URI.
SPANISH_MATCHED = {
    "at://did:plc:ana4mx2k7ypq3rv6w5z2l/app.bsky.feed.post/3lbq2kf3cc34x",
    "at://did:plc:beto7oax3n2kq5xw4h6t/app.bsky.feed.post/3lbq2kf4dd45x",
    "at://did:plc:carla2v6mq7w3ds5k4y8/app.bsky.feed.post/3lbq2kf5ee56x",
    "at://did:plc:dani5qz8r2mxt7lw3c4v/app.bsky.feed.post/3lbq2kf6ff67x",
    "at://did:plc:emi3w8k2r6zq5np7t4yh/app.bsky.feed.post/3lbq2kg2jj12x",
    "at://did:plc:fer8t2k5q7zr3xw6m4yl/app.bsky.feed.post/3lbq2kg5mm45x",
}


def post_times(frames: list[bytes]) -> dict[str, int]:
    """Each created post's at:// URI → its frame's time_us."""
    found = {}
    for frame in frames:
        with contextlib.suppress(orjson.JSONDecodeError):
            event = orjson.loads(frame)
            commit = event.get("commit") or {}
            if event.get("time_us") and commit.get("operation") == "create":
                found[f"at://{event['did']}/{commit['collection']}/{commit['rkey']}"] = event["time_us"]
    return found


@contextlib.contextmanager
def appview(settings, profiles: dict[str, dict[str, str]] | None = None) -> Iterator[AppViewServer]:
    """An AppView on 127.0.0.1 that `BLUESKY_APPVIEW_URL` points at."""
    with AppViewServer(PROFILES if profiles is None else profiles) as server:
        settings.BLUESKY_APPVIEW_URL = server.url
        yield server
