"""Real servers on 127.0.0.1 for the alert channels' tests: SMTP (aiosmtpd), a webhook receiver, Telegram's Bot API.

Each records what it received, as received on the wire, and answers from a
script the test writes, so a test asserts what a subscriber's side saw.
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from tests.conftest import free_port

# --- SMTP --------------------------------------------------------------------------------------------------------

@dataclass
class Mail:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]

    @property
    def subject(self) -> str:
        # Python's mail package folds a long encoded subject onto a continuation line ("Subject:\n =?utf-8?…");
        # unfolded, that reads with a leading space, which mail clients do not show.
        return str(self.message["Subject"]).strip()

    def part(self, content_type: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_attachment():
                return str(part.get_content())
        raise AssertionError(f"no {content_type} part")

    def attachments(self) -> list[tuple[str, str, Any]]:
        return [(str(part.get_filename()), part.get_content_type(), part.get_payload(decode=True))
                for part in self.message.iter_attachments()]


class SmtpHandler:
    """Accepts every recipient except those listed in `refused` (answered 550, as a real server does)."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.refused: set[str] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list) -> str:
        if address in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(Mail(sender=envelope.mail_from, recipients=list(envelope.rcpt_tos),
                               raw=envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


def smtp_server() -> Iterator[tuple[SmtpHandler, int]]:
    handler = SmtpHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


# --- HTTP (webhooks and the Bot API) -----------------------------------------------------------------------------

@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"received":true}'
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0  # seconds to wait before answering: a slow or dead endpoint


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    def json(self) -> Any:
        return json.loads(self.body)


class HttpServer:
    """Answers each POST with the next scripted reply (the last one repeats) and records it."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies) or [Reply()]
        self.received: list[Received] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer.lock:
                    reply = outer.replies[min(len(outer.received), len(outer.replies) - 1)]
                    outer.received.append(Received(self.path, dict(self.headers.items()), body, reply.status))
                time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: what a dead endpoint looks like from its side

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> HttpServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def telegram_ok(chat_id: int, text: str = "", message_id: int = 7) -> Reply:
    """Bot API's answer to a sent message: {"ok": true, "result": <Message>}."""
    result = {"message_id": message_id, "date": int(time.time()), "text": text,
              "chat": {"id": chat_id, "type": "private", "first_name": "Observatorio"},
              "from": {"id": 42, "is_bot": True, "first_name": "Discriminamometro", "username": "discriminamometro_bot"}}
    return Reply(body=json.dumps({"ok": True, "result": result}).encode())


def telegram_error(code: int, description: str, **parameters: Any) -> Reply:
    """Bot API's error: {"ok": false, "error_code", "description"[, "parameters"]}, with the same HTTP status."""
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Reply(status=code, body=json.dumps(body).encode())


def closed_port_url() -> str:
    """A loopback URL nobody listens on: connections are refused at once."""
    return f"http://127.0.0.1:{free_port()}/hook"


def strip_tags(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
