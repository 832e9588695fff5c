"""Run deploy/nginx/portal.conf, rendered for loopback, as the current user under tmp_path."""

from __future__ import annotations

import contextlib
import getpass
import http.client
import importlib.util
import os
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.deploy.servers import REPO, free_port, stop, wait_for_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
MISSING = "nginx is not installed (apt-get install nginx; .ci/run installs it)"


def render_site(**values: str) -> str:
    spec = importlib.util.spec_from_file_location("render_nginx", REPO / "deploy/render_nginx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.render(**values)


def make_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Nginx:
    https_port: int
    http_port: int
    root: Path
    certificate: Path

    def tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.certificate))
        context.set_alpn_protocols(["h2", "http/1.1"])
        return context

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        source: str = "127.0.0.1",
        host: str = "127.0.0.1",
    ) -> tuple[http.client.HTTPResponse, bytes]:
        context = ssl.create_default_context(cafile=str(self.certificate))
        connection = http.client.HTTPSConnection(
            host, self.https_port, context=context, source_address=(source, 0), timeout=30
        )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def access_log(self) -> str:
        return (self.root / "portal-access.log").read_text()


@contextlib.contextmanager
def nginx(
    root: Path, *, upstream: str, static_root: Path | None = None, https_port: int | None = None
) -> Iterator[Nginx]:
    """nginx in the foreground (`daemon off`) with its pid, logs and temp files under root."""
    root.mkdir(parents=True, exist_ok=True)
    cert, key = make_certificate(root)
    https_port, http_port = https_port or free_port(), free_port()
    site = render_site(
        server_name="localhost 127.0.0.1",
        upstream=upstream,
        http_port=str(http_port),
        https_port=str(https_port),
        static_root=str(static_root or root / "static"),
        log_dir=str(root),
        tls_certificate=str(cert),
        tls_certificate_key=str(key),
    )
    (root / "portal.conf").write_text(site)
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {root / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (root / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
pid {root / "nginx.pid"};
error_log {root / "error.log"} warn;
events {{ worker_connections 128; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
{temp}
    access_log {root / "access.log"};
    include {root / "portal.conf"};
}}
"""
    )
    process = subprocess.Popen(
        [
            NGINX,
            "-p",
            str(root),
            "-c",
            str(root / "nginx.conf"),
            "-e",
            str(root / "error.log"),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        try:
            wait_for_port(https_port, process=process, timeout=60)
        except (RuntimeError, TimeoutError) as error:
            log = (root / "error.log").read_text() if (root / "error.log").exists() else ""
            raise RuntimeError(f"nginx did not start: {log}") from error
        yield Nginx(https_port=https_port, http_port=http_port, root=root, certificate=cert)
    finally:
        stop(process)
