"""The services a test session needs, brought up by the session itself (`-p tests.testenv` in pyproject).

For PostgreSQL and for Redis, in this order:

1. told where one runs (`TEST_DATABASE_URL`; `TEST_REDIS_URL` or `REDIS_URL`): that one is used as given;
2. otherwise a throwaway server from the installed binaries, on a free loopback port, its data in a
   temporary directory; no cluster, password or configuration is needed, and everything is removed
   when the session ends;
3. the binaries missing: installed with apt-get when the session may (root, or sudo without a password);
4. none of that possible: the session stops at once with one message saying what to install.

The browser tests need Debian's Chromium: when the selected tests include any, a missing
`/usr/bin/chromium` is installed the same way, or the session stops with the same kind of message.

What is decided is written to `os.environ` before Django's settings are read (this hook wraps
pytest-django's), so the Celery workers and `manage.py` processes that tests start share it.
"""
from __future__ import annotations

import ctypes
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
APT_PACKAGES = {"postgresql": "postgresql", "redis": "redis-server", "chromium": "chromium"}
POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"
START_TIMEOUT = 30.0
# A throwaway cluster keeps nothing worth a crash-safe write: these make it several times faster.
POSTGRES_OPTIONS = (
    "fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200",
    "listen_addresses=127.0.0.1", "TimeZone=UTC",
)


class ServicesUnavailable(Exception):
    """No way to bring a service up on this machine; the message says what to install or set."""


@dataclass(slots=True)
class Server:
    """A server this session started; `stop` ends it and removes its files."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    directory: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            # Immediate shutdown: nothing in a throwaway server needs to reach the disk.
            self.process.send_signal(signal.SIGQUIT if self.name == "PostgreSQL" else signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass(slots=True)
class TestServices:
    """Where the session's PostgreSQL and Redis are, and the servers it must stop."""

    database_url: str
    redis_url: str  # without a database number
    started: list[Server] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def environment(self) -> dict[str, str]:
        return {
            "TEST_DATABASE_URL": self.database_url,
            "TEST_REDIS_URL": f"{self.redis_url}/14",
            "TEST_CELERY_BROKER_URL": f"{self.redis_url}/15",
        }

    def stop(self) -> None:
        for server in reversed(self.started):
            server.stop()
        self.started.clear()


def port_free() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(ready: Callable[[], bool], *, process: subprocess.Popen[bytes], name: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServicesUnavailable(f"{name} terminó al arrancar:\n{log.read_text(errors='replace')[-2000:]}")
        if ready():
            return
        time.sleep(0.1)
    process.kill()
    raise ServicesUnavailable(f"{name} no respondió en {START_TIMEOUT:.0f} s:\n{log.read_text(errors='replace')[-2000:]}")


def answers(port: int, probe: bytes = b"", expect: bytes = b"") -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            if not probe:
                return True
            connection.sendall(probe)
            return connection.recv(64).startswith(expect)
    except OSError:
        return False


def postgres_ready(port: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=1):
            return True
    except psycopg.OperationalError:
        return False


def unprivileged_user() -> tuple[int, int] | None:
    """initdb and postgres refuse to run as root: as root they run as the `postgres` (or `nobody`) user."""
    if os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    raise ServicesUnavailable("Se ejecuta como root y no existe el usuario «postgres» ni «nobody» para PostgreSQL.")


def child_setup(user: tuple[int, int] | None, *, on_parent_death: signal.Signals) -> Callable[[], None]:
    """Run in the child before exec: drop to `user`, and end with the session even if it is killed."""

    def setup() -> None:
        if user is not None:
            os.setgid(user[1])
            os.setuid(user[0])
        # PR_SET_PDEATHSIG, after the user change that would clear it: no server outlives a killed session.
        ctypes.CDLL(None, use_errno=True).prctl(1, int(on_parent_death), 0, 0, 0)

    return setup


def postgres_binaries(search: Sequence[str]) -> Path | None:
    """The newest PostgreSQL server binaries (initdb and postgres) in `search`: folders or glob patterns."""

    def major(folder: str) -> int:
        name = Path(folder).parent.name
        return int(name) if name.isdigit() else 0

    for pattern in search:
        for folder in sorted(glob.glob(pattern), key=major, reverse=True):
            if (Path(folder) / "initdb").exists() and (Path(folder) / "postgres").exists():
                return Path(folder)
    return None


def postgres_start(binaries: Path) -> Server:
    """A fresh cluster with trust authentication for `postgres`, on a free port, in a temporary directory."""
    directory = Path(tempfile.mkdtemp(prefix="discriminamometro-pg-"))
    user = unprivileged_user()
    if user is not None:
        os.chown(directory, *user)
    data, log = directory / "data", directory / "postgres.log"
    initdb = subprocess.run(
        [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
        preexec_fn=child_setup(user, on_parent_death=signal.SIGKILL), capture_output=True, text=True, cwd=directory,
    )
    if initdb.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        raise ServicesUnavailable(f"initdb falló:\n{initdb.stderr[-2000:]}")
    port = port_free()
    options = [arg for option in POSTGRES_OPTIONS for arg in ("-c", option)]
    with open(log, "wb") as output:
        if user is not None:
            os.chown(log, *user)
        process = subprocess.Popen(
            [str(binaries / "postgres"), "-D", str(data), "-p", str(port), "-k", str(directory), *options],
            stdout=output, stderr=subprocess.STDOUT, preexec_fn=child_setup(user, on_parent_death=signal.SIGQUIT),
            start_new_session=True, cwd=directory,
        )
    server = Server("PostgreSQL", f"postgres://postgres@127.0.0.1:{port}/discriminamometro", process, directory)
    try:
        wait_until(lambda: postgres_ready(port), process=process, name="PostgreSQL", log=log)
    except BaseException:
        server.stop()
        raise
    return server


def redis_start(binary: Path) -> Server:
    """A Redis that keeps nothing on disk, on a free port."""
    directory = Path(tempfile.mkdtemp(prefix="discriminamometro-redis-"))
    port, log = port_free(), directory / "redis.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(directory)],
            stdout=output, stderr=subprocess.STDOUT, preexec_fn=child_setup(None, on_parent_death=signal.SIGTERM),
            start_new_session=True, cwd=directory,
        )
    server = Server("Redis", f"redis://127.0.0.1:{port}", process, directory)
    try:
        wait_until(lambda: answers(port, b"PING\r\n", b"+PONG"), process=process, name="Redis", log=log)
    except BaseException:
        server.stop()
        raise
    return server


def installer() -> list[str] | None:
    """The apt-get command this session may run (as root, or through sudo without a password), or None."""
    if shutil.which("apt-get") is None:
        return None
    if os.geteuid() == 0:
        return ["apt-get"]
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n", "apt-get"]
    return None


def packages_install(packages: Sequence[str], *, report: Callable[[str], None]) -> bool:
    """Install Debian packages when this session may; True when apt-get succeeded."""
    command = installer()
    if command is None:
        return False
    report(f"Instalando {', '.join(packages)} con apt-get…")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*command, "install", "-y", "-qq", "--no-install-recommends", *packages]
    if subprocess.run(install, env=environment, capture_output=True).returncode == 0:
        return True
    subprocess.run([*command, "update", "-qq"], env=environment, capture_output=True)
    return subprocess.run(install, env=environment, capture_output=True).returncode == 0


def what_to_install(missing: Sequence[str]) -> str:
    packages = " ".join(APT_PACKAGES[name] for name in missing)
    return (
        f"Las pruebas necesitan {' y '.join(missing)} y no se pudieron instalar (hace falta root o sudo sin contraseña).\n"
        f"Instálelos:  sudo apt-get install -y {packages}\n"
        "o indique servidores ya en marcha con TEST_DATABASE_URL=postgres://… y TEST_REDIS_URL=redis://…"
    )


def services_start(
    environ: dict[str, str] | os._Environ[str],
    *,
    postgres_search: Sequence[str] | None = None,
    redis_search: Sequence[str] | None = None,
    install: bool = True,
    report: Callable[[str], None] = print,
) -> TestServices:
    """PostgreSQL and Redis for one test session: the ones named in `environ`, or throwaway servers."""
    postgres_search = postgres_search if postgres_search is not None else (POSTGRES_BIN_GLOB, *os.get_exec_path())
    database_url = environ.get("TEST_DATABASE_URL", "")
    redis_url = environ.get("TEST_REDIS_URL", "") or environ.get("REDIS_URL", "")

    def redis_binary() -> Path | None:
        if redis_search is None:
            found = shutil.which("redis-server")
            return Path(found) if found else None
        return next((Path(path) for path in redis_search if Path(path).exists()), None)

    binaries = None if database_url else postgres_binaries(postgres_search)
    redis = None if redis_url else redis_binary()
    missing = [name for name, needed, found in (("postgresql", not database_url, binaries), ("redis", not redis_url, redis)) if needed and not found]
    if missing and install and packages_install([APT_PACKAGES[name] for name in missing], report=report):
        binaries = None if database_url else postgres_binaries(postgres_search)
        redis = None if redis_url else redis_binary()
        missing = [name for name, needed, found in (("postgresql", not database_url, binaries), ("redis", not redis_url, redis)) if needed and not found]
    if missing:
        raise ServicesUnavailable(what_to_install(missing))

    started: list[Server] = []
    try:
        if binaries is not None:
            started.append(postgres_start(binaries))
            database_url = started[-1].url
        if redis is not None:
            started.append(redis_start(redis))
            redis_url = started[-1].url
    except BaseException:
        for server in started:
            server.stop()
        raise
    services = TestServices(database_url=database_url, redis_url=redis_base(redis_url), started=started)
    services.notes = [
        f"{server.name} temporal en {urlsplit(server.url).netloc.split('@')[-1]} (se borra al terminar)" for server in started
    ]
    return services


def redis_base(url: str) -> str:
    """The URL without its database number: the session uses 14 for the cache and 15 for the broker."""
    head, _, tail = url.rstrip("/").rpartition("/")
    return head if tail.isdigit() and head.count("/") >= 2 else url.rstrip("/")


def browser_needed(items: Sequence[pytest.Item]) -> bool:
    return any(item.get_closest_marker("browser") for item in items)


SERVICES = pytest.StashKey[TestServices]()


def terminal_write(config: pytest.Config, text: str) -> None:
    sys.stderr.write(f"{text}\n") if config.get_verbosity() >= 0 else None


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> Iterator[None]:
    if not any(arg in ("--help", "-h", "--version", "-V") for arg in args):
        try:
            services = services_start(os.environ, report=lambda text: terminal_write(early_config, text))
        except ServicesUnavailable as error:
            raise pytest.UsageError(str(error)) from None
        early_config.stash[SERVICES] = services
        os.environ.update(services.environment())
    return (yield)


def pytest_report_header(config: pytest.Config) -> list[str]:
    services = config.stash.get(SERVICES, None)
    if services is None:
        return []
    return [f"servicios de prueba: {note}" for note in services.notes] or [
        f"servicios de prueba: {urlsplit(services.database_url).netloc.split('@')[-1]} y {urlsplit(services.redis_url).netloc}"
    ]


def pytest_collection_finish(session: pytest.Session) -> None:
    if not browser_needed(session.items) or CHROMIUM.exists() or session.config.option.collectonly:
        return
    if not packages_install([APT_PACKAGES["chromium"]], report=lambda text: terminal_write(session.config, text)):
        raise pytest.UsageError(what_to_install(["chromium"]))


def pytest_unconfigure(config: pytest.Config) -> None:
    services = config.stash.get(SERVICES, None)
    if services is not None:
        services.stop()
