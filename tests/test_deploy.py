"""deploy/: the nginx configuration is valid for nginx, and the compose file sets what endpoints.yml reads."""

from __future__ import annotations

import http.server
import importlib.metadata
import json
import re
import shutil
import ssl
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest
import yaml

from bot import PROJECT_ROOT
from harness.services import Nginx, deployed_rasa_instances
from harness.stack import free_port
from tests.test_layers import imported

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


def dockerfile_copies(name: str) -> List[str]:
    """The sources of every COPY in deploy/<name> (the last word is the destination)."""
    sources: List[str] = []
    for line in (DEPLOY / name).read_text().splitlines():
        words = line.split()
        if words[:1] == ["COPY"]:
            sources += [w for w in words[1:-1] if not w.startswith("--")]
    return sources


def test_the_rasa_image_holds_the_product_only() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    copied = dockerfile_copies("Dockerfile")
    assert "." not in copied and "./" not in copied
    assert not [c for c in copied if c.rstrip("/").split("/")[0] in {"harness", "tests", "bench", "mutants", ".ci"}]
    assert {"bot/", "actions/", "data/", "web/", "scripts/"} <= set(copied)
    assert re.search(r"^\s*SETUP_EXTRAS= ", text, re.M)  # scripts/setup.sh then installs no dev extras
    setup = (PROJECT_ROOT / "scripts" / "setup.sh").read_text()
    assert 'extras="${SETUP_EXTRAS-dev}"' in setup and '-e ".${extras:+[$extras]}"' in setup


def _third_party_imports(*folders: str) -> Set[str]:
    found = {module.split(".")[0] for folder in folders for path in (PROJECT_ROOT / folder).rglob("*.py")
             for module in imported(path)}
    return {m for m in found if m not in sys.stdlib_module_names and m not in {"bot", "actions", "__future__"}}


def test_the_action_image_is_slim_and_has_what_the_actions_import() -> None:
    text = (DEPLOY / "Dockerfile.actions").read_text()
    sdk_pin = re.search(r'"rasa-sdk==([\d.]+)"', (PROJECT_ROOT / "pyproject.toml").read_text()).group(1)
    assert re.search(rf"^FROM rasa/rasa-sdk:{re.escape(sdk_pin)}$", text, re.M)
    copied = dockerfile_copies("Dockerfile.actions")
    assert set(copied) == {"deploy/actions-requirements.txt", "bot/__init__.py", "bot/core/", "bot/storage/", "actions/"}
    # every module the copied code imports is in rasa-sdk's image or in the requirements, at the pinned version
    pins = dict(line.split("==") for line in (DEPLOY / "actions-requirements.txt").read_text().splitlines()
                if line and not line.startswith("#"))
    constraints = dict(line.split("==") for line in (PROJECT_ROOT / "constraints.txt").read_text().splitlines()
                       if "==" in line and not line.startswith("#"))
    assert all(constraints.get(name) == version for name, version in pins.items()), pins
    with_sdk = {"rasa_sdk", "sanic", "pluggy"}  # rasa-sdk and its own dependencies
    distributions = importlib.metadata.packages_distributions()
    needed = _third_party_imports("actions", "bot/core", "bot/storage") - with_sdk
    missing = {m for m in needed if not set(distributions.get(m, [m])) & set(pins)}
    assert not missing, f"imported by the actions but not in deploy/actions-requirements.txt: {missing}"
    assert not {"rasa", "tensorflow"} & {m.lower() for m in pins}


def test_compose_builds_the_action_server_from_its_own_image() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    actions = compose["services"]["actions"]
    assert actions["build"]["dockerfile"] == "deploy/Dockerfile.actions" and actions["image"] == "mild-actions"
    assert all(compose["services"][n]["build"]["dockerfile"] == "deploy/Dockerfile" for n in ("rasa1", "rasa2"))
