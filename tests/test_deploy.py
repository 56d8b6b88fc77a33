"""What deploy/ hands a school's IT person is accepted by the tools that will read it: nginx takes
the site, systemd the units, gunicorn the config (the paths pointed at this checkout)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.servers import ROOT, free_port, require

DEPLOY = ROOT / "deploy"


def at_this_checkout(text: str) -> str:
    return text.replace("/opt/intersession", str(ROOT))


def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    require("nginx")
    require("openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=hub.example.kz",
         "-keyout", str(key), "-out", str(cert), "-days", "1"],
        check=True, capture_output=True,
    )  # fmt: skip
    site = at_this_checkout((DEPLOY / "nginx" / "intersession.conf").read_text())
    site = site.replace("/etc/letsencrypt/live/hub.example.kz/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/hub.example.kz/privkey.pem", str(key))
    site = site.replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{free_port()} ssl http2;")
    site = "\n".join(line for line in site.splitlines() if "[::]" not in line)
    (tmp_path / "site.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
        f"events {{}}\nhttp {{\ninclude /etc/nginx/mime.types;\ninclude {tmp_path / 'site.conf'};\n}}\n"
    )
    checked = subprocess.run(
        ["nginx", "-t", "-c", str(main), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is missing (Debian's systemd package)")
    units = []
    for unit in (DEPLOY / "systemd").glob("*.service"):
        name = unit.name.replace("@.service", "@1.service")
        (tmp_path / name).write_text(at_this_checkout(unit.read_text()))
        units.append(str(tmp_path / name))
    for timer in (DEPLOY / "systemd").glob("*.timer"):
        (tmp_path / timer.name).write_text(at_this_checkout(timer.read_text()))
        units.append(str(tmp_path / timer.name))
    checked = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True, text=True, env={"SYSTEMD_LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    complaints = [
        line for line in checked.stderr.splitlines()
        # The environment file is the operator's (deploy/intersession.env is its template).
        if line.strip() and "intersession.env" not in line
    ]  # fmt: skip
    assert complaints == [], checked.stderr


def test_gunicorn_reads_the_config() -> None:
    checked = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"),
         "--check-config", "wsgi:app"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
