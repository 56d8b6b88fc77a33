"""A school behind a firewall that drops all UDP: Chromium in a network namespace of its own,
reaching the platform over TCP only, receives the advisor's video through coturn's TCP relay, and
through its TLS relay on 443 (a certificate of an authority the school's computers trust, as a
real one would be); with no TURN configured its page says plainly that the school's network blocks
the lesson."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from intersession.core.db import db
from tests.conftest import make_app
from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, playwright_driver  # noqa: F401
from tests.e2e.test_lessons import sign_in
from tests.factories import build_hub
from tests.scaled.conftest import lesson_now
from tests.servers import ROOT, Served, app_environment, free_port, gunicorn_command, require

pytestmark = [pytest.mark.scaled, pytest.mark.browser]
TURN_SECRET = secrets.token_hex(16)


@dataclass
class School:
    """A network namespace joined to ours by a veth pair, dropping every UDP packet."""

    name: str
    host_address: str  # our side: the platform, coturn and the media engine listen here
    wrapper: Path  # Chromium started inside the namespace
    certificate: Path  # coturn's, for TLS on 443, signed by an authority the school trusts
    key: Path

    def run(self, *command: str) -> None:
        subprocess.run(["ip", "netns", "exec", self.name, *command], check=True)


def relay_certificate(folder: Path, address: str) -> Path:
    """A certificate authority, and coturn's certificate for `address` signed by it (openssl)."""
    run = lambda *c: subprocess.run(["openssl", *c], check=True, capture_output=True)  # noqa: E731
    authority, key = folder / "authority.pem", folder / "authority.key"
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test hub CA",
        "-keyout", str(key), "-out", str(authority))  # fmt: skip
    request = folder / "relay.csr"
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={address}",
        "-keyout", str(folder / "relay.key"), "-out", str(request))  # fmt: skip
    names = folder / "relay.ext"
    names.write_text(f"subjectAltName=IP:{address}\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", str(request), "-CA", str(authority), "-CAkey", str(key),
        "-CAcreateserial", "-days", "2", "-extfile", str(names), "-out", str(folder / "relay.pem"))  # fmt: skip
    return authority


def trust_authority(home: Path, authority: Path) -> None:
    """Chromium on Linux trusts what the user's NSS database holds (certutil)."""
    database = home / ".pki" / "nssdb"
    database.mkdir(parents=True)
    run = lambda *c: subprocess.run(["certutil", "-d", f"sql:{database}", *c], check=True)  # noqa: E731
    run("-N", "--empty-password")
    run("-A", "-n", "test-hub-ca", "-t", "C,,", "-i", str(authority))


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Iterator[School]:
    if os.geteuid() != 0:
        if os.environ.get("INTERSESSION_REQUIRE_SERVERS"):
            pytest.fail("the firewall test needs root for its network namespace")
        pytest.skip("the firewall test needs root for its network namespace")
    for command in ("ip", "iptables", "turnserver", "openssl", "certutil"):
        require(command)
    tag = secrets.token_hex(3)
    name, outer, inner = f"isch-{tag}", f"vsh-{tag}", f"vsc-{tag}"
    net = f"10.{77 + int(tag[:2], 16) % 100}.{int(tag[2:4], 16)}"
    sh = lambda *c: subprocess.run(c, check=True)  # noqa: E731
    sh("ip", "netns", "add", name)
    try:
        sh("ip", "link", "add", outer, "type", "veth", "peer", "name", inner)
        sh("ip", "link", "set", inner, "netns", name)
        sh("ip", "addr", "add", f"{net}.1/24", "dev", outer)
        sh("ip", "link", "set", outer, "up")
        folder = tmp_path_factory.mktemp("school")
        home = folder / "home"  # the school's computers trust the hub's certificate authority
        trust_authority(home, relay_certificate(folder, f"{net}.1"))
        wrapper = folder / "chromium-in-school"
        wrapper.write_text(f'#!/bin/sh\nHOME={home} exec ip netns exec {name} {CHROMIUM} "$@"\n')
        wrapper.chmod(0o755)
        here = School(name, f"{net}.1", wrapper, folder / "relay.pem", folder / "relay.key")
        here.run("ip", "link", "set", "lo", "up")
        here.run("ip", "addr", "add", f"{net}.2/24", "dev", inner)
        here.run("ip", "link", "set", inner, "up")
        for chain in ("INPUT", "OUTPUT"):  # the school's firewall: TCP only
            here.run(
                "iptables",
                "-A",
                chain,
                "-p",
                "udp",
                "!",
                "-i" if chain == "INPUT" else "-o",
                "lo",
                "-j",
                "DROP",
            )
        yield here
    finally:
        subprocess.run(["ip", "link", "del", outer], check=False)
        subprocess.run(["ip", "netns", "del", name], check=False)


def coturn_command(school: School, folder: Path, port: int) -> list[str]:
    """coturn on our side of the school's link, with the deployment's refusals (deploy/coturn):
    every private, loopback and link-local peer refused but the media engine's own address."""
    deploy = (ROOT / "deploy" / "coturn" / "turnserver.conf").read_text()
    denied = re.findall(r"^denied-peer-ip=(\S+)$", deploy, re.MULTILINE)
    assert any(r.startswith("10.") for r in denied)  # the engine's network is refused to others
    return [
        "turnserver", "-n", "--listening-ip", school.host_address, "--relay-ip", school.host_address,
        "--listening-port", str(port), "--tls-listening-port", "443", "--cert", str(school.certificate),
        "--pkey", str(school.key), "--no-dtls", "--no-tlsv1", "--no-tlsv1_1", "--use-auth-secret",
        "--static-auth-secret", TURN_SECRET, "--realm", "intersession.test", "--no-cli",
        "--pidfile", str(folder / "turnserver.pid"), "--log-file", "stdout", "--simple-log", "--verbose",
        "--min-port", "50000", "--max-port", "50999", "--no-multicast-peers",
        *[f"--denied-peer-ip={r}" for r in denied], f"--allowed-peer-ip={school.host_address}",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def platform(school: School, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The platform on our side of the link twice (with TURN, and without), and coturn."""
    tmp = tmp_path_factory.mktemp("firewall")
    database = f"sqlite:///{tmp / 'school.sqlite'}"
    app = make_app(tmp, SQLALCHEMY_DATABASE_URI=database)
    with app.app_context():
        db.create_all()
        build_hub()
        lesson_id = lesson_now()
        db.session.remove()
        db.engine.dispose()
    turn_port = free_port()
    log = (tmp / "coturn.log").open("w")
    coturn = subprocess.Popen(
        coturn_command(school, tmp, turn_port), stdout=log, stderr=subprocess.STDOUT
    )
    servers = {}
    try:
        for name, turn in (
            ("relayed", f"turn:{school.host_address}:{turn_port}?transport=tcp"),
            ("relayed-tls", f"turns:{school.host_address}:443?transport=tcp"),
            ("bare", ""),
        ):
            port = free_port()
            env = app_environment(
                tmp / name, database, BIND=f"{school.host_address}:{port}", MEDIA_WORKERS="1",
                MEDIA_HOST_ADDRESSES=school.host_address, TURN_URLS=turn, TURN_SECRET=TURN_SECRET,
                SECRET_KEY="firewall-test",
            )  # fmt: skip
            url = f"http://{school.host_address}:{port}"
            servers[name] = Served(gunicorn_command(), env, url, tmp / f"{name}.log")
        yield {"servers": servers, "lesson": lesson_id, "coturn_log": tmp / "coturn.log"}
    finally:
        for served in servers.values():
            served.stop()
        coturn.terminate()
        coturn.wait(timeout=10)
        log.close()


def browser_args(url: str) -> list[str]:
    # The platform is on a plain-HTTP address here: let the camera work there as on HTTPS.
    host = url.split("//")[1].split(":")[0]
    args = [
        f"{arg}, EXCLUDE {host}" if arg.startswith("--host-resolver-rules") else arg
        for arg in CHROMIUM_ARGS
    ]
    return [*args, f"--unsafely-treat-insecure-origin-as-secure={url}"]


def room_page(browser: Any, url: str, login: str, lesson_id: int) -> Any:
    context = browser.new_context(locale="en-US", bypass_csp=True)
    page = context.new_page()
    sign_in(page, url, login)
    page.click("button[lang=en]")
    page.goto(f"{url}/lessons/{lesson_id}/room")
    return page


@contextmanager
def pupil_behind_the_firewall(
    school: School, platform: dict[str, Any], playwright: Any, server: str
) -> Iterator[Any]:
    """The advisor on air from a browser on our side; then the pupil's room page in the school."""
    url = platform["servers"][server].url
    host = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=browser_args(url)
    )
    behind = playwright.chromium.launch(
        executable_path=str(school.wrapper), headless=True, args=browser_args(url)
    )
    try:
        advisor = room_page(host, url, "adv", platform["lesson"])
        advisor.wait_for_selector("#participants li")
        advisor.click("#start-camera")
        advisor.wait_for_function(
            "document.getElementById('room-status').textContent === 'You are on air.'",
            timeout=20_000,
        )
        yield room_page(behind, url, "pup", platform["lesson"])
    finally:
        host.close()
        behind.close()


def test_a_school_that_drops_udp_gets_the_lesson_through_turn_over_tcp(
    school: School,
    platform: dict[str, Any],
    playwright_driver: Any,  # noqa: F811
) -> None:
    with pupil_behind_the_firewall(school, platform, playwright_driver, "relayed") as pupil:
        pupil.wait_for_function("window.roomStats.framesDecoded > 20", timeout=45_000)
        assert not pupil.evaluate("window.roomStats.blocked === true")
        assert pupil.inner_text("#room-status") == "Connected."
        log = platform["coturn_log"].read_text()
        assert "ALLOCATE processed, success" in log, log[-2000:]  # the relay carried it


def test_a_school_that_lets_only_tls_on_443_out_gets_the_lesson_through_turn_over_tls(
    school: School,
    platform: dict[str, Any],
    playwright_driver: Any,  # noqa: F811
) -> None:
    with pupil_behind_the_firewall(school, platform, playwright_driver, "relayed-tls") as pupil:
        pupil.wait_for_function("window.roomStats.framesDecoded > 20", timeout=45_000)
        assert not pupil.evaluate("window.roomStats.blocked === true")
        log = platform["coturn_log"].read_text()
        over_tls = re.findall(r"session (\d+): new, .* method=TLSv1\.[23]", log)
        allocated = re.findall(r"session (\d+): .*ALLOCATE processed, success", log)
        assert set(over_tls) & set(allocated), log[-3000:]  # the relay carried it, over TLS


def test_without_turn_the_page_says_the_schools_network_blocks_the_lesson(
    school: School,
    platform: dict[str, Any],
    playwright_driver: Any,  # noqa: F811
) -> None:
    with pupil_behind_the_firewall(school, platform, playwright_driver, "bare") as pupil:
        pupil.wait_for_function("window.roomStats.blocked === true", timeout=60_000)
        assert "blocks UDP" in pupil.inner_text("#room-status")
        assert pupil.evaluate("window.roomStats.framesDecoded") == 0
        ARTIFACTS.mkdir(exist_ok=True)  # to look at as the pupil would, on a computer and a phone
        pupil.screenshot(path=str(ARTIFACTS / "firewall-blocked-1280.png"))
        pupil.set_viewport_size({"width": 375, "height": 800})
        pupil.screenshot(path=str(ARTIFACTS / "firewall-blocked-375.png"), full_page=True)
