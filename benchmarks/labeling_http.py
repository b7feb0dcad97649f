"""The labeling benchmark's HTTP phase: the same annotators, as browsers, against gunicorn.

`benchmarks/labeling.py` runs it after its service-level phases. Each annotator
signs in through the login form (before the clock starts), then loops: GET the
annotation page (which hands out the next post and renders it with its terms
marked and the progress counter), a human pause, then POST the answer form (or
the skip form) exactly as the page's form sends it. Signing in ends on the list of campaigns, as in a
browser, so the server has served every annotator once before the clock
starts. The server is gunicorn
with the production settings, as `benchmarks/api.py` starts it.
"""
from __future__ import annotations

import contextlib
import html
import http.client
import os
import random
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from benchmarks.http_load import CpuWatch, Server, ServerConfig

# Keep-alive as long as a browser keeps an idle connection, so a pause does not cost a reconnection.
CONFIG = ServerConfig(workers=4, worker_class="gthread", threads=2, keep_alive=75)
if spec := os.environ.get("LABELING_BENCH_SERVER"):  # e.g. "sync:4" or "gthread:4:2", to compare set-ups
    kind, workers, *threads = spec.split(":")
    CONFIG = ServerConfig(workers=int(workers), worker_class=kind, threads=int(threads[0]) if threads else 1,
                          keep_alive=75)
# The server closed an idle connection: a browser opens a new one and sends the request again.
RECONNECT = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
PASSWORD = "clave-de-banco-de-pruebas-2026"
OPERATIONS = ("page", "submit", "skip")
FIELD = re.compile(r'name="(assignment|csrfmiddlewaretoken)" value="([^"]+)"')


@dataclass(slots=True)
class Browser:
    """One annotator's keep-alive connection and cookies."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict[str, str | list[str]] | None = None) -> tuple[int, str]:
        try:
            return self._send(method, path, form)
        except RECONNECT:
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            return self._send(method, path, form)

    def _send(self, method: str, path: str, form: dict[str, str | list[str]] | None) -> tuple[int, str]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{self.port}",
                        "Referer": f"http://127.0.0.1:{self.port}{path}"}
        self.connection.request(method, path, body=body, headers=headers)
        answer = self.connection.getresponse()
        text = answer.read().decode()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return answer.status, text

    def log_in(self, username: str) -> None:
        _, page = self.request("GET", "/cuenta/entrar/")
        token = dict(FIELD.findall(page))["csrfmiddlewaretoken"]
        status, _ = self.request("POST", "/cuenta/entrar/", {"username": username, "password": PASSWORD,
                                                             "csrfmiddlewaretoken": token, "next": "/etiquetado/"})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{username} could not sign in (HTTP {status})")
        self.request("GET", "/etiquetado/")  # where the login leads: the list of campaigns


@dataclass(slots=True)
class HttpCalls:
    wall: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPERATIONS})
    at: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPERATIONS})  # when each was sent
    statuses: dict[int, int] = field(default_factory=dict)
    assigned: int = 0
    empty: int = 0
    error: BaseException | None = None

    def timed(self, operation: str, browser: Browser, method: str, path: str, form=None) -> tuple[int, str]:  # noqa: ANN001
        started = time.perf_counter()
        status, text = browser.request(method, path, form)
        self.wall[operation].append(time.perf_counter() - started)
        self.at[operation].append(started)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        return status, text


def annotator_browse(*, port: int, username: str, campaign_id: int, categories: list[str], think_ms: float,
                     answers: tuple[tuple[str, float], ...], seed: int, start: threading.Barrier,
                     deadline: list[float], calls: HttpCalls) -> None:
    rng = random.Random(seed)
    browser = Browser(port=port)
    page_path = f"/etiquetado/campanas/{campaign_id}/"
    try:
        browser.log_in(username)
        start.wait()
        while time.perf_counter() < deadline[0]:
            status, page = calls.timed("page", browser, "GET", page_path)
            fields = {name: html.unescape(value) for name, value in FIELD.findall(page)}
            if status != 200 or "assignment" not in fields:
                calls.empty += status == 200
                return
            calls.assigned += 1
            time.sleep(rng.uniform(0, think_ms) / 1000)
            answer = rng.choices([a for a, _ in answers], weights=[w for _, w in answers])[0]
            if answer == "skip":
                calls.timed("skip", browser, "POST", page_path + "saltar/", fields)
                continue
            chosen = rng.sample(categories, rng.choice((1, 2))) if answer == "yes" else []
            form = {**fields, "answer": answer, "categories": chosen, "comment": "", "seconds": f"{think_ms / 2000:.2f}"}
            calls.timed("submit", browser, "POST", page_path + "responder/", form)
    except BaseException as error:  # noqa: B036 (recorded and reported: the run then fails)
        calls.error = error
        start.abort()
    finally:
        if browser.connection is not None:
            browser.connection.close()


@dataclass(slots=True)
class HttpPhase:
    results: list[HttpCalls]
    began: float
    seconds: float
    server_cores: float  # gunicorn's processes
    client_cores: float  # this process: the 50 simulated browsers
    other_cores: float  # PostgreSQL, Redis, the kernel


def users_prepare(annotator_ids: list[int]) -> list[str]:
    """Give the benchmark's annotators the annotator role and one password (hashed once); their usernames."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from labeling.roles import ANNOTATORS

    users = get_user_model().objects.filter(pk__in=annotator_ids)
    users.update(password=make_password(PASSWORD))
    Group.objects.get(name=ANNOTATORS).user_set.add(*annotator_ids)
    return list(users.order_by("pk").values_list("username", flat=True))


def http_phase_run(*, url: str, campaign_id: int, annotator_ids: list[int], categories: list[str], think_ms: float,
                   answers: tuple[tuple[str, float], ...], seconds: float, seed: int) -> HttpPhase:
    """Start gunicorn, sign everyone in, run the annotators for `seconds`; their timings, wall time and CPU use."""
    usernames = users_prepare(annotator_ids)
    server = Server(CONFIG, url=url)
    try:
        server.wait_ready()
        start = threading.Barrier(len(usernames) + 1)
        deadline = [time.perf_counter() + 600]  # provisional while everyone signs in
        results = [HttpCalls() for _ in usernames]
        threads = [threading.Thread(target=annotator_browse, daemon=True, kwargs={
            "port": server.port, "username": name, "campaign_id": campaign_id, "categories": categories,
            "think_ms": think_ms, "answers": answers, "seed": seed * 1000 + i, "start": start, "deadline": deadline,
            "calls": calls}) for i, (name, calls) in enumerate(zip(usernames, results, strict=True))]
        for thread in threads:
            thread.start()
        while start.n_waiting < len(threads) and not start.broken:
            time.sleep(0.05)
        deadline[0] = time.perf_counter() + seconds
        began, clients = time.perf_counter(), time.process_time()
        with CpuWatch(server.process.pid) as cpu:
            with contextlib.suppress(threading.BrokenBarrierError):  # the failing annotator's error is reported
                start.wait()
            for thread in threads:
                thread.join()
        wall = time.perf_counter() - began
        return HttpPhase(results=results, began=began, seconds=wall, server_cores=cpu.cores["server"],
                         client_cores=(time.process_time() - clients) / wall,
                         other_cores=cpu.cores["other"] - (time.process_time() - clients) / wall)
    finally:
        server.stop()


def describe() -> str:
    return (f"gunicorn, production settings, {CONFIG.describe()}; each annotator signs in through the login form "
            f"first, then GETs the annotation page (hands out and renders the next post) and POSTs its form")
