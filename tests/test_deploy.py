"""deploy/: the nginx configuration is valid for nginx, and the compose file sets what endpoints.yml reads."""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest
import yaml

from bot import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
needs_nginx = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx comes with scripts/system-deps.sh")


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


def deployed_config(tmp_path: Path, upstream: str, ports: Dict[str, int]) -> Path:
    """deploy/nginx as docker-compose.yml mounts it, mapped to this machine's paths and loopback ports."""
    mild = tmp_path / "mild"
    shutil.copytree(DEPLOY / "nginx", mild)
    self_signed_certificate(tmp_path / "certs")
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "widget.js").write_text("// the widget\n")
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / name).mkdir()
    conf = (DEPLOY / "nginx" / "nginx.conf").read_text()
    conf = (conf.replace("/etc/nginx/mild", str(mild)).replace("rasa1:5005", upstream)
            .replace("rasa2:5005", upstream).replace("/var/log/nginx", str(tmp_path))
            .replace("/etc/nginx/certs", str(tmp_path / "certs")).replace("/srv/mild/web", str(tmp_path / "web"))
            .replace("listen 80;", f"listen 127.0.0.1:{ports['http']};")
            .replace("listen 443 ssl", f"listen 127.0.0.1:{ports['https']} ssl")
            .replace("listen 8080;", f"listen 127.0.0.1:{ports['internal']};")
            .replace("worker_processes auto;", f"worker_processes 1;\npid {tmp_path / 'nginx.pid'};"))
    if os.geteuid() == 0:  # workers would run as nobody, who cannot read pytest's private tmp folder
        conf = "user root;\n" + conf
    (tmp_path / "nginx.conf").write_text(conf)
    return tmp_path / "nginx.conf"


@needs_nginx
def test_the_deployed_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    conf = deployed_config(tmp_path, "127.0.0.1:1", {"http": 1, "https": 2, "internal": 3})
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


class Upstream(http.server.BaseHTTPRequestHandler):
    """Stands in for Rasa: says which path reached it."""

    def _answer(self) -> None:
        body = json.dumps({"reached": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def deployed_nginx(tmp_path: Path) -> Iterator[Dict[str, int]]:
    from bot.services import _stop, _wait_for_port
    from bot.stack import free_port

    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    ports = {"http": free_port(), "https": free_port(), "internal": free_port()}
    conf = deployed_config(tmp_path, f"127.0.0.1:{upstream.server_address[1]}", ports)
    os.chmod(tmp_path, 0o755)
    proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log"),
                             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        for port in ports.values():
            _wait_for_port(port, proc, "nginx", tmp_path / "error.log")
        yield ports
    finally:
        _stop(proc, signal.SIGQUIT)
        upstream.shutdown()


def fetch(url: str, method: str = "GET") -> Tuple[int, Dict[str, str], bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(url, data=b"{}" if method == "POST" else None, method=method)
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect())
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@needs_nginx
def test_nginx_publishes_only_the_widget_socketio_and_messaging_webhooks(deployed_nginx: Dict[str, int]) -> None:
    public = f"https://127.0.0.1:{deployed_nginx['https']}"
    for path in ("/socket.io/?EIO=4&transport=polling", "/webhooks/twilio/webhook", "/webhooks/telegram/webhook",
                 "/webhooks/slack/webhook", "/webhooks/facebook/webhook"):
        status, headers, body = fetch(public + path, "POST" if "webhooks" in path else "GET")
        assert status == 200 and json.loads(body)["reached"].startswith(path.split("?")[0]), path
        assert headers.get("Strict-Transport-Security", "").startswith("max-age="), path
    status, _, body = fetch(public + "/widget/widget.js")
    assert status == 200 and body == b"// the widget\n"
    for path in ("/webhooks/rest/webhook", "/conversations/someone/tracker", "/model", "/status", "/",
                 "/conversations/x/tracker?token=t", "/webhooks/rest/", "/model/parse"):
        status, _, body = fetch(public + path, "POST" if path.endswith(("webhook", "parse")) else "GET")
        assert status == 404 and b"reached" not in body, path
    # plain HTTP only redirects to HTTPS
    status, headers, _ = fetch(f"http://127.0.0.1:{deployed_nginx['http']}/webhooks/rest/webhook", "POST")
    assert status == 301 and headers["Location"].startswith("https://")
    # the clinic's own network reaches REST and the HTTP API
    status, _, body = fetch(f"http://127.0.0.1:{deployed_nginx['internal']}/webhooks/rest/webhook", "POST")
    assert status == 200 and json.loads(body)["reached"] == "/webhooks/rest/webhook"


def test_compose_gives_every_instance_what_endpoints_yml_reads() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    read = set(re.findall(r"\$\{(\w+)\}", (PROJECT_ROOT / "endpoints.yml").read_text()))
    example = set(re.findall(r"^#?\s*(\w+)=", (DEPLOY / "env.example").read_text(), re.M))
    for name in ("rasa1", "rasa2", "actions"):
        service = compose["services"][name]
        assert service["env_file"] == ".env"
        assert read <= set(service["environment"]) | example, name
    assert compose["services"]["rasa1"]["environment"]["LOCK_STORE_URL"].startswith("redis://")
    assert compose["services"]["rasa2"]["depends_on"] == {"rasa1": {"condition": "service_healthy"}}
    # every upstream in nginx.conf is a Rasa service of the compose file
    upstreams = re.findall(r"server (\w+):5005", (DEPLOY / "nginx" / "nginx.conf").read_text())
    assert upstreams and all(u in compose["services"] for u in upstreams)
