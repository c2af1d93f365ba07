"""deploy/: the nginx configuration is valid for nginx, and the compose file sets what endpoints.yml reads."""

from __future__ import annotations

import http.server
import json
import re
import shutil
import ssl
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest
import yaml

from bot import PROJECT_ROOT
from harness.services import Nginx, deployed_rasa_instances
from harness.stack import free_port

DEPLOY = PROJECT_ROOT / "deploy"


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
needs_nginx = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx comes with scripts/system-deps.sh")


def deployed(tmp_path: Path, upstream: str, ports: Dict[str, int]) -> Nginx:
    """deploy/nginx/nginx.conf with every Rasa instance at ``upstream``, on loopback ports, serving a stand-in widget."""
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "widget.js").write_text("// the widget\n")
    (tmp_path / "nginx").mkdir()
    return Nginx([upstream] * len(deployed_rasa_instances()), ports=ports, web=tmp_path / "web",
                 folder=tmp_path / "nginx")


@needs_nginx
def test_the_deployed_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    deployed(tmp_path, "127.0.0.1:1", {"http": 1, "https": 2, "internal": 3}).check()


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
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    ports = {"http": free_port(), "https": free_port(), "internal": free_port()}
    nginx = deployed(tmp_path, f"127.0.0.1:{upstream.server_address[1]}", ports)
    try:
        nginx.start()
        yield ports
    finally:
        nginx.stop()
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
