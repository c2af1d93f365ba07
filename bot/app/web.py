"""The demo clinic page with the chat widget (``make run`` serves it on WEB_PORT).

Static files from ``web/``; ``index.html`` gets the Rasa server's address and the
clinic's name and phone filled in, and ``sources.json`` maps the catalog's source
ids to their titles for the widget. A clinic's own site serves ``widget.js``,
``sources.json`` and ``vendor/`` the same way (README, "Web widget").
"""

from __future__ import annotations

import argparse
import html
import json
import mimetypes
import os
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Optional
from urllib.parse import urlsplit

from bot import PROJECT_ROOT
from bot.core.knowledge import get_catalog
from bot.core.settings import ClinicSettings, load_settings

WEB_DIR = PROJECT_ROOT / "web"
FILES = {"/widget.js", "/demo.css", "/vendor/socket.io.min.js"}


def source_titles() -> Dict[str, str]:
    return {sid: source.title for sid, source in get_catalog().sources.items()}


def render_index(template: str, rasa_url: str, settings: ClinicSettings) -> str:
    values = {"RASA_URL": rasa_url, "CLINIC_NAME": settings.name, "CLINIC_PHONE": settings.phone}
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", html.escape(value, quote=True))
    return template


def content_security_policy(rasa_url: str) -> str:
    """Scripts and styles from this server only; the page talks to the Rasa server only."""
    parts = urlsplit(rasa_url)
    ws = ("wss" if parts.scheme == "https" else "ws") + f"://{parts.netloc}"
    return (f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"connect-src 'self' {rasa_url} {ws}; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'self'")


class DemoHandler(BaseHTTPRequestHandler):
    def __init__(self, *args, rasa_url: str, settings: ClinicSettings, **kwargs) -> None:
        self.rasa_url = rasa_url
        self.settings = settings
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - no request lines (privacy)
        pass

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", content_security_policy(self.rasa_url))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            page = render_index((WEB_DIR / "index.html").read_text(encoding="utf-8"), self.rasa_url, self.settings)
            self._send(HTTPStatus.OK, page.encode("utf-8"), "text/html; charset=utf-8")
        elif path == "/sources.json":
            self._send(HTTPStatus.OK, json.dumps(source_titles()).encode("utf-8"), "application/json")
        elif path in FILES:
            kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
            self._send(HTTPStatus.OK, (WEB_DIR / path.lstrip("/")).read_bytes(), f"{kind}; charset=utf-8")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"Not found", "text/plain; charset=utf-8")


def serve(port: int, rasa_url: str, host: str = "127.0.0.1", settings: Optional[ClinicSettings] = None) -> None:
    handler = partial(DemoHandler, rasa_url=rasa_url, settings=settings or load_settings())
    server = ThreadingHTTPServer((host, port), handler)
    print(f"Demo clinic page with the chat widget: http://{host}:{port}/", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: Optional[list] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.app.web", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8000")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rasa-url", default=os.environ.get(
        "RASA_PUBLIC_URL", f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"))
    args = parser.parse_args(argv)
    serve(args.port, args.rasa_url, args.host)


if __name__ == "__main__":
    main()
