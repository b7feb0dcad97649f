"""The load harness of the HTTP benchmark: gunicorn started as in production, wrk against it, CPU use watched.

`benchmarks/api.py` says what is measured and prints the verdicts; this module
starts and stops the server, runs wrk with benchmarks/wrk_post.lua and reads
its output into a `LoadResult`.
"""
from __future__ import annotations

import http.client
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
LUA = ROOT / "benchmarks" / "wrk_post.lua"
REDIS_URL = "redis://127.0.0.1:6379/9"
BROKER_URL = "redis://127.0.0.1:6379/8"
PATH = "/api/v1/classify"
BARE_PATH = "/bench/bare"  # the reference view benchmarks/api_urls.py adds


@dataclass(frozen=True)
class ServerConfig:
    workers: int
    worker_class: str = "sync"
    threads: int = 1
    keep_alive: int = 5

    def args(self) -> list[str]:
        args = ["--workers", str(self.workers), "--worker-class", self.worker_class, "--keep-alive", str(self.keep_alive)]
        return args + (["--threads", str(self.threads)] if self.worker_class == "gthread" else [])

    def describe(self) -> str:
        if self.worker_class == "gthread":
            return f"{self.workers} gthread workers x {self.threads} threads, keep-alive {self.keep_alive} s"
        return f"{self.workers} sync workers (a connection per request: sync workers do not keep connections alive)"


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # cores busy on average: server, wrk, other, idle

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def problems(self) -> str:
        """Why the run is invalid, or "" when every request got a 200."""
        wrong = {status: n for status, n in self.statuses.items() if status != 200}
        failed = {name: n for name, n in self.socket_errors.items() if n}
        parts = [f"{sum(wrong.values())} answers other than 200 {wrong}"] if wrong else []
        parts += [f"socket errors {failed}"] if failed else []
        if not self.requests:
            parts.append("no request completed")
        return "; ".join(parts)


# --- The server -------------------------------------------------------------------------------

def server_environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "discriminamometro.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # wrk and the annotators speak plain HTTP on loopback
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": BROKER_URL,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn in its own session, so Ctrl-C reaches this script only and `stop` ends all of it."""

    def __init__(self, config: ServerConfig, *, url: str, app: str = "discriminamometro.wsgi:application"):
        self.config = config
        self.port = free_port()
        self.log = OUT / "api-gunicorn.log"
        command = [str(Path(sys.executable).with_name("gunicorn")), app,
                   "--bind", f"127.0.0.1:{self.port}", "--preload", "--chdir", str(ROOT), *config.args()]
        OUT.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=server_environment(url), stdout=log, stderr=log,
                                            start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _ = http_call(self.port, "GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # the session gunicorn leads: master and workers
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def http_call(port: int, method: str, path: str, body: dict | None = None, key: str = "") -> tuple[int, bytes]:
    """One request without following redirects (a redirect would be a misconfiguration, not a success)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Api-Key {key}"} if body is not None else {}
    try:
        connection.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


# --- Load -------------------------------------------------------------------------------------

def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        sys.exit("wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu), then run this again.")
    return found


class CpuWatch:
    """CPU time over a run: the gunicorn processes, wrk (this script's only child that exits), and
    everything else (Redis, PostgreSQL, the kernel's network work, and whatever else the machine runs)."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid

    def __enter__(self) -> CpuWatch:
        self.started = (time.monotonic(), self._server(), self._children(), psutil.cpu_times())
        return self

    def __exit__(self, *exc: object) -> None:
        wall, server, children, machine = self.started
        seconds = time.monotonic() - wall
        now = psutil.cpu_times()
        busy = sum(getattr(now, f) - getattr(machine, f) for f in ("user", "nice", "system", "irq", "softirq", "steal"))
        self.cores = {"server": (self._server() - server) / seconds, "wrk": (self._children() - children) / seconds,
                      "idle": (now.idle + now.iowait - machine.idle - machine.iowait) / seconds}
        self.cores["other"] = max(0.0, busy / seconds - self.cores["server"] - self.cores["wrk"])

    def _server(self) -> float:
        total = 0.0
        try:
            master = psutil.Process(self.server_pid)
            for process in [master, *master.children(recursive=True)]:
                times = process.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
        return total

    @staticmethod
    def _children() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime


def wrk_run(
    port: int, *, bodies: Path, key: str, connections: int, seconds: int, server_pid: int, path: str = PATH,
) -> LoadResult:
    command = [wrk_binary(), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA),
               f"http://127.0.0.1:{port}{path}", "--", str(bodies), key]
    with CpuWatch(server_pid) as watch:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    values = dict(line.split()[1:3] for line in done.stdout.splitlines() if line.startswith("result "))
    if done.returncode != 0 or "requests" not in values:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    number = {name: float(value) for name, value in values.items()}
    return LoadResult(
        requests=int(number["requests"]), seconds=number["duration_us"] / 1e6,
        p50_ms=number["p50_us"] / 1000, p95_ms=number["p95_us"] / 1000, p99_ms=number["p99_us"] / 1000,
        max_ms=number["max_us"] / 1000,
        socket_errors={name[6:]: int(v) for name, v in number.items() if name.startswith("error_") and name != "error_status"},
        statuses={int(name[7:]): int(v) for name, v in number.items() if name.startswith("status_")},
        cpu=watch.cores,
    )


def scenario_run(
    server: Server, *, bodies: Path, key: str, connections: int, seconds: int, warmup: int, path: str = PATH,
) -> LoadResult:
    """A warm-up (every worker loads the model and the dictionary; discarded), then the measured run."""
    def run(duration: int) -> LoadResult:
        return wrk_run(server.port, bodies=bodies, key=key, connections=connections, seconds=duration,
                       server_pid=server.process.pid, path=path)

    warm = run(warmup)
    if warm.problems():
        raise RuntimeError(f"warm-up failed: {warm.problems()}\n{server.log_tail()}")
    return run(seconds)
