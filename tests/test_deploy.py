"""deploy/: the nginx configuration is valid for nginx, and the compose file sets what endpoints.yml reads."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"


@pytest.mark.skipif(not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(),
                    reason="nginx comes with scripts/system-deps.sh")
def test_the_deployed_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    mild = tmp_path / "mild"
    shutil.copytree(DEPLOY / "nginx", mild)
    conf = (DEPLOY / "nginx" / "nginx.conf").read_text()
    # the container names and paths of docker-compose.yml, mapped to this machine
    conf = (conf.replace("/etc/nginx/mild", str(mild)).replace("rasa1:5005", "127.0.0.1:1")
            .replace("rasa2:5005", "127.0.0.1:2").replace("/var/log/nginx", str(tmp_path))
            .replace("listen 80;", "listen 127.0.0.1:1;"))
    (tmp_path / "nginx.conf").write_text(conf)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                            "-e", str(tmp_path / "error.log")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


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
