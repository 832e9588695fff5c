"""Render deploy/nginx/portal.conf: fill in its values between at-signs.

    python deploy/render_nginx.py --server-name xxgk.example.gov.cn \
        > /etc/nginx/sites-available/portal.conf

Every value has a production default (the paths of deploy/systemd's units); the tests render
the same file for loopback ports and temporary paths.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "portal.conf"

DEFAULTS = {
    "server_name": "xxgk.example.gov.cn",
    "upstream": "127.0.0.1:8001",
    "http_port": "80",
    "https_port": "443",
    "static_root": "/srv/portal/var/staticfiles",
    "log_dir": "/var/log/nginx",
    "tls_certificate": "/etc/ssl/portal/fullchain.pem",
    "tls_certificate_key": "/etc/ssl/portal/privkey.pem",
}


def render(**values: str) -> str:
    merged = {**DEFAULTS, **{k: str(v) for k, v in values.items()}}
    unknown = set(merged) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown values: {sorted(unknown)}")
    port = merged["https_port"]
    merged["https_port_suffix"] = "" if port == "443" else f":{port}"
    text = TEMPLATE.read_text(encoding="utf-8")
    return re.sub(r"@([A-Z_]+)@", lambda m: merged[m.group(1).lower()], text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in DEFAULTS.items():
        parser.add_argument("--" + name.replace("_", "-"), default=default)
    print(render(**vars(parser.parse_args())), end="")


if __name__ == "__main__":
    main()
