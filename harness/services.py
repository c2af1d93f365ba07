"""Throw-away PostgreSQL, Redis and nginx servers from Debian's packages, on loopback.

The scale-out test and the load benchmark run the assistant the way a bigger clinic
does (``deploy/``): conversations in PostgreSQL, locks in Redis, several Rasa
instances behind nginx. Each server here gets a free port and a temporary data
folder, and is stopped and removed afterwards. ``scripts/system-deps.sh`` installs
the packages; the packages' own services are not used.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from bot import PROJECT_ROOT
from harness.stack import free_port

NGINX_CONFIGS = PROJECT_ROOT / "deploy" / "nginx"
DEPLOYED_NGINX_CONF = NGINX_CONFIGS / "nginx.conf"
NGINX_TEMP = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


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
        self.wait_until_accepting()

    def wait_until_accepting(self, timeout: float = 30.0) -> None:
        """Return once a session can be opened: PostgreSQL listens before it has finished starting
        up ("the database system is starting up"), and a test that sends a message in that gap
        would see the database as down."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.url("postgres"))  # always there, even before create_database
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    with engine.connect() as conn:
                        conn.execute(sa.text("SELECT 1"))
                    return
                except sa.exc.OperationalError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        finally:
            engine.dispose()

    def pause(self) -> None:
        """Stop the server and keep its data: the database is down until ``resume``."""
        _stop(self._proc, signal.SIGINT)

    def create_database(self, name: str) -> None:
        """A new database on the running server (``resume`` has waited until it accepts sessions)."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
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


def self_signed_certificate(folder: Path) -> None:
    """fullchain.pem and privkey.pem for localhost in ``folder``, as a clinic's certificate would be."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))


# One JSON object per request (nginx escapes every value), so that a field holding
# spaces or commas cannot shift the others: `$upstream_addr` is "A, B" when nginx
# re-sent a request to the next instance. The conversation key is in it, which the
# deployed format leaves out (conversation ids are personal data): tests only.
ROUTING_LOG_FORMAT = (
    "escape=json '{\"key\":\"$conversation_key\",\"method\":\"$request_method\",\"uri\":\"$uri\","
    "\"status\":\"$status\",\"upstream\":\"$upstream_addr\",\"upstream_status\":\"$upstream_status\","
    "\"end\":\"$msec\",\"duration\":\"$request_time\",\"request_id\":\"$request_id\"}'"
)
_DEPLOYED_UPSTREAM = re.compile(r"(?m)^(\s*server )\w+:5005\b")
_DEPLOYED_UPSTREAM_NAMES = re.compile(r"(?m)^\s*server (\w+):5005\b")


def deployed_rasa_instances() -> List[str]:
    """The Rasa services deploy/nginx/nginx.conf's upstream lists (rasa1, rasa2, ...)."""
    return _DEPLOYED_UPSTREAM_NAMES.findall(DEPLOYED_NGINX_CONF.read_text())


def _once(config: str, old: str, new: str) -> str:
    """Replace ``old``, which must occur exactly once: a deployed config the template does not know fails loudly."""
    found = config.count(old)
    if found != 1:
        raise ServiceError(f"deploy/nginx/nginx.conf: expected {old!r} once, found it {found} times")
    return config.replace(old, new)


def deployed_nginx_config(folder: Path, upstreams: Sequence[str], ports: Mapping[str, int], web: Path,
                          log_format: Optional[str] = None) -> str:
    """deploy/nginx/nginx.conf itself, with this machine's paths and loopback ports.

    ``upstreams`` (host:port) take the places of rasa1:5005, rasa2:5005, ... in order;
    ``ports`` has the "http" (80), "https" (443) and "internal" (8080) servers' ports;
    ``folder`` holds the pid, the logs, the temporary files and the certificate
    (``self_signed_certificate``); ``web`` is served as /widget/. ``log_format``
    replaces the deployed access-log format (e.g. ``ROUTING_LOG_FORMAT``).
    """
    config = DEPLOYED_NGINX_CONF.read_text()
    deployed = deployed_rasa_instances()
    if len(deployed) != len(upstreams):
        raise ServiceError(f"deploy/nginx/nginx.conf lists {len(deployed)} Rasa instances; {len(upstreams)} given")
    addresses = iter(upstreams)
    config = _DEPLOYED_UPSTREAM.sub(lambda m: f"{m.group(1)}{next(addresses)}", config)
    config = config.replace("include /etc/nginx/mild/", f"include {NGINX_CONFIGS}/")
    config = _once(config, "listen 80;", f"listen 127.0.0.1:{ports['http']};")
    config = _once(config, "listen 443 ssl", f"listen 127.0.0.1:{ports['https']} ssl")
    config = _once(config, "listen 8080;", f"listen 127.0.0.1:{ports['internal']};")
    config = config.replace("/etc/nginx/certs/", f"{folder / 'certs'}/")
    config = _once(config, "alias /srv/mild/web/;", f"alias {web}/;")
    access = re.search(r"access_log /var/log/nginx/(\S+) (\w+);", config)
    if access is None:
        raise ServiceError("deploy/nginx/nginx.conf: no access_log in /var/log/nginx")
    if log_format:
        config = _once(config, access.group(0),
                       f"log_format local_test {log_format};\n    access_log {folder / access.group(1)} local_test;")
    else:
        config = _once(config, access.group(0), f"access_log {folder / access.group(1)} {access.group(2)};")
    temp = "".join(f"    {name}_temp_path {folder / name};\n" for name in NGINX_TEMP)
    config = _once(config, "http {\n", "http {\n" + temp)
    # pytest's and mkdtemp's folders are private: workers would run as nobody when started by root
    head = f"pid {folder / 'nginx.pid'};\n" + ("user root;\n" if os.geteuid() == 0 else "")
    return head + config


@dataclass
class Nginx:
    """deploy/nginx/nginx.conf, running on loopback in front of ``upstreams`` (host:port, one per rasaN).

    ``url`` is the internal server (port 8080 when deployed: the REST channel and the
    HTTP API); ``ports`` has all three. With ``log_format`` (e.g. ``ROUTING_LOG_FORMAT``)
    the access log is written in that format instead of the deployed one.
    """

    upstreams: List[str]
    ports: Dict[str, int] = field(default_factory=lambda: {n: free_port() for n in ("http", "https", "internal")})
    web: Path = PROJECT_ROOT / "web"
    log_format: Optional[str] = None
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="mild-nginx-")))
    _proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['internal']}"

    def configure(self) -> Path:
        """Write the configuration, the certificate and the folders nginx needs; returns the config's path."""
        os.chmod(self.folder, 0o755)
        for name in NGINX_TEMP:
            (self.folder / name).mkdir(exist_ok=True)
        self_signed_certificate(self.folder / "certs")
        conf = self.folder / "nginx.conf"
        conf.write_text(deployed_nginx_config(self.folder, self.upstreams, self.ports, self.web, self.log_format))
        return conf

    @staticmethod
    def binary() -> str:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise ServiceError("nginx is not installed: run scripts/system-deps.sh")
        return nginx

    def check(self) -> None:
        """``nginx -t`` on the configuration; ServiceError with nginx's words when it is rejected."""
        conf = self.configure()
        check = subprocess.run([self.binary(), "-t", "-q", "-p", str(self.folder), "-c", str(conf),
                                "-e", str(self.folder / "error.log")], capture_output=True, text=True)
        if check.returncode != 0:
            raise ServiceError(f"nginx configuration rejected: {check.stderr.strip()}")

    def start(self) -> Nginx:
        self.check()
        log = self.folder / "error.log"
        with open(self.folder / "nginx.out", "ab") as out:
            self._proc = subprocess.Popen(
                [self.binary(), "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"), "-e", str(log),
                 "-g", "daemon off;"],
                stdout=out, stderr=subprocess.STDOUT,
            )
        for port in self.ports.values():
            _wait_for_port(port, self._proc, "nginx", log)
        return self

    def access_log(self) -> str:
        path = self.folder / "access.log"
        return path.read_text() if path.exists() else ""

    def access_entries(self, at_least: int = 0, timeout: float = 10.0) -> List[Dict[str, str]]:
        """The access log's lines as dicts (with a JSON ``log_format`` such as ``ROUTING_LOG_FORMAT``).

        nginx writes a line just after its response: waits up to ``timeout`` for ``at_least`` lines.
        """
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.access_log().splitlines() if line.strip()]
            if len(lines) >= at_least or time.monotonic() > deadline:
                return [json.loads(line) for line in lines]
            time.sleep(0.1)

    def stop(self) -> None:
        _stop(self._proc, signal.SIGQUIT)  # graceful
        shutil.rmtree(self.folder, ignore_errors=True)
