"""Throw-away PostgreSQL, Redis and nginx servers from Debian's packages, on loopback.

The scale-out test and the load benchmark run the assistant the way a bigger clinic
does (``deploy/``): conversations in PostgreSQL, locks in Redis, several Rasa
instances behind nginx. Each server here gets a free port and a temporary data
folder, and is stopped and removed afterwards. ``scripts/system-deps.sh`` installs
the packages; the packages' own services are not used.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence

from bot import PROJECT_ROOT
from bot.stack import free_port

NGINX_CONFIGS = PROJECT_ROOT / "deploy" / "nginx"


class ServiceError(RuntimeError):
    """A server could not be started; the message names its log."""


def _wait_for_port(port: int, proc: subprocess.Popen, name: str, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServiceError(f"{name} exited ({proc.returncode}); see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise ServiceError(f"{name} did not listen on port {port} within {timeout:.0f}s; see {log}")


def _stop(proc: Optional[subprocess.Popen], sig: int = signal.SIGTERM) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise ServiceError("PostgreSQL is not installed: run scripts/system-deps.sh")
    return Path(found[-1]).parent


@dataclass
class Postgres:
    """A PostgreSQL server with one database and a password login, on 127.0.0.1."""

    database: str = "mild"
    user: str = "mild"
    password: str = "local-test-password"
    port: int = field(default_factory=free_port)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="mild-postgres-")))
    _proc: Optional[subprocess.Popen] = None

    def url(self, database: Optional[str] = None) -> str:
        return (f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/"
                f"{database or self.database}")

    def _run_as(self) -> dict:
        # PostgreSQL refuses to run as root; the Debian package made the postgres user.
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            return {"user": "postgres", "group": "postgres"}
        return {}

    def start(self) -> Postgres:
        bindir = _postgres_bin()
        as_user = self._run_as()
        data = self.folder / "data"
        pwfile = self.folder / "pw"
        pwfile.write_text(self.password + "\n")
        if as_user:
            shutil.chown(pwfile, "postgres", "postgres")
        init = subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "-U", self.user, "--pwfile", str(pwfile),
             "--auth=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"],
            capture_output=True, text=True, **as_user,
        )
        if init.returncode != 0:
            raise ServiceError(f"initdb failed: {init.stderr.strip()[-2000:]}")
        self.resume()
        self.create_database(self.database)
        return self

    def resume(self) -> None:
        """Start the server on its existing data folder (after ``start`` and ``pause``)."""
        log = self.folder / "postgres.log"
        with open(log, "ab") as out:
            self._proc = subprocess.Popen(
                [str(_postgres_bin() / "postgres"), "-D", str(self.folder / "data"), "-p", str(self.port),
                 "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.folder}",
                 "-c", "fsync=off", "-c", "max_connections=200"],
                stdout=out, stderr=subprocess.STDOUT, **self._run_as(),
            )
        _wait_for_port(self.port, self._proc, "postgres", log)

    def pause(self) -> None:
        """Stop the server and keep its data: the database is down until ``resume``."""
        _stop(self._proc, signal.SIGINT)

    def create_database(self, name: str) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        deadline = time.monotonic() + 30
        try:
            while True:
                try:
                    with engine.connect() as conn:
                        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                    return
                except sa.exc.OperationalError:  # still starting up
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
        finally:
            engine.dispose()

    def stop(self) -> None:
        _stop(self._proc, signal.SIGINT)  # "fast" shutdown
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Redis:
    port: int = field(default_factory=free_port)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="mild-redis-")))
    _proc: Optional[subprocess.Popen] = None

    def url(self, db: int = 1) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> Redis:
        if not shutil.which("redis-server"):
            raise ServiceError("Redis is not installed: run scripts/system-deps.sh")
        log = self.folder / "redis.log"
        with open(log, "ab") as out:
            self._proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.folder)],
                stdout=out, stderr=subprocess.STDOUT,
            )
        _wait_for_port(self.port, self._proc, "redis", log)
        return self

    def stop(self) -> None:
        _stop(self._proc)
        shutil.rmtree(self.folder, ignore_errors=True)


def nginx_config(listen_port: int, upstreams: Sequence[str], folder: Path) -> str:
    """The same routing as deploy/nginx/nginx.conf (its two include files), for local servers."""
    servers = "\n".join(f"        server {address} max_fails=1 fail_timeout=5s;" for address in upstreams)
    temp = "\n".join(f"    {name}_temp_path {folder / name};" for name in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""worker_processes 2;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 1024; }}
http {{
{temp}
    include {NGINX_CONFIGS / 'conversation-key.conf'};
    # Test ids only: the deployed config does not log conversation ids (phone numbers on SMS).
    log_format routed '$status $upstream_addr $upstream_status key=$conversation_key $request_method $uri';
    access_log {folder / 'access.log'} routed;
    upstream rasa_instances {{
        hash $conversation_key consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{listen_port};
        include {NGINX_CONFIGS / 'rasa-proxy.conf'};
    }}
}}
"""


@dataclass
class Nginx:
    """nginx routing each conversation to one of ``upstreams`` (host:port)."""

    upstreams: List[str]
    port: int = field(default_factory=free_port)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="mild-nginx-")))
    _proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Nginx:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise ServiceError("nginx is not installed: run scripts/system-deps.sh")
        os.chmod(self.folder, 0o755)
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / name).mkdir(exist_ok=True)
            os.chmod(self.folder / name, 0o777)  # workers run as nobody when started by root
        conf = self.folder / "nginx.conf"
        conf.write_text(nginx_config(self.port, self.upstreams, self.folder))
        log = self.folder / "error.log"
        check = subprocess.run([nginx, "-t", "-q", "-p", str(self.folder), "-c", str(conf), "-e", str(log)],
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise ServiceError(f"nginx configuration rejected: {check.stderr.strip()}")
        with open(self.folder / "nginx.out", "ab") as out:
            self._proc = subprocess.Popen(
                [nginx, "-p", str(self.folder), "-c", str(conf), "-e", str(log), "-g", "daemon off;"],
                stdout=out, stderr=subprocess.STDOUT,
            )
        _wait_for_port(self.port, self._proc, "nginx", log)
        return self

    def access_log(self) -> str:
        path = self.folder / "access.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        _stop(self._proc, signal.SIGQUIT)  # graceful
        shutil.rmtree(self.folder, ignore_errors=True)
