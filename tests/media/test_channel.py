"""The media node's channel: JSON frames after a mutual HMAC handshake over real TCP sockets; a
wrong key, a forged or replayed frame and an oversized one end the connection."""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from intersession.rooms.media import channel

KEY = b"k" * 32


@contextmanager
def served(handle: Callable[[socket.socket], Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """A listener on loopback whose one connection is handed to `handle` on a thread; what it
    returned or raised is in the dict once the block ends."""
    server = socket.create_server(("127.0.0.1", 0))
    outcome: dict[str, Any] = {}

    def run() -> None:
        sock, _ = server.accept()
        try:
            outcome["value"] = handle(sock)
        except Exception as error:
            outcome["error"] = error
        finally:
            sock.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}", outcome
    finally:
        thread.join(10)
        server.close()


def test_both_sides_prove_the_key_and_exchange_signed_json() -> None:
    def node(sock: socket.socket) -> dict[str, Any]:
        link = channel.accept(sock, KEY, "node-1/ab12")
        asked = link.receive()
        link.send({"id": asked["id"], "ok": True, "value": "Сәлем"})
        return asked

    with served(node) as (address, outcome):
        link = channel.connect(address, KEY)
        assert link.peer == "node-1/ab12"
        link.send({"id": 1, "room": 5, "op": "counters", "args": []})
        assert link.receive() == {"id": 1, "ok": True, "value": "Сәлем"}
        link.close()
    assert outcome["value"]["op"] == "counters"


def test_a_web_side_without_the_key_is_refused_and_learns_nothing() -> None:
    def node(sock: socket.socket) -> None:
        channel.accept(sock, KEY, "node-1/ab12")

    # The node hangs up without its own proof.
    with served(node) as (address, outcome), pytest.raises(channel.ChannelError):
        channel.connect(address, b"w" * 32)
    assert isinstance(outcome["error"], channel.ChannelRefused)


def test_a_node_without_the_key_is_not_believed() -> None:
    """A stand-in that accepts any proof and answers with one of its own making."""

    def impostor(sock: socket.socket) -> None:
        hello = {"hello": channel.PROTOCOL, "nonce": "00" * 32, "node": "fake/0000"}
        channel._write_frame(sock, json.dumps(hello).encode())
        channel._read_frame(sock, channel.MAX_HELLO)
        channel._write_frame(sock, json.dumps({"proof": "ab" * 32}).encode())
        sock.recv(1)  # until the web side hangs up
        sock.close()

    with served(impostor) as (address, _outcome), pytest.raises(channel.ChannelRefused):
        channel.connect(address, KEY)


def raw_after_handshake(send: Callable[[socket.socket, channel.Channel], None]) -> Exception:
    """Authenticate honestly, then write raw bytes; returns what the node's reader raised."""

    def node(sock: socket.socket) -> None:
        link = channel.accept(sock, KEY, "node-1/ab12")
        link.receive()
        link.receive()

    with served(node) as (address, outcome):
        link = channel.connect(address, KEY)
        send(link.sock, link)
        link.sock.settimeout(10)
        assert closed(link.sock)
        link.close()
    return outcome["error"]


def closed(sock: socket.socket) -> bool:
    """The other side closed (a reset when it left our bytes unread)."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_a_forged_frame_ends_the_connection() -> None:
    def forged(sock: socket.socket, link: channel.Channel) -> None:
        body = b'{"id": 1}'
        channel._write_frame(sock, b"\x00" * channel.TAG + body)

    assert "signature" in str(raw_after_handshake(forged))


def test_a_replayed_frame_ends_the_connection() -> None:
    def replayed(sock: socket.socket, link: channel.Channel) -> None:
        body = b'{"id":1}'
        tag = channel._mac(link.session, b"web", struct.pack(">Q", 0), body)
        channel._write_frame(sock, tag + body)
        channel._write_frame(sock, tag + body)  # the same frame again: sequence 1 expected

    assert "signature" in str(raw_after_handshake(replayed))


def test_an_oversized_frame_ends_the_connection_before_it_is_read() -> None:
    def oversized(sock: socket.socket, link: channel.Channel) -> None:
        sock.sendall(struct.pack(">I", 2**31) + b"x" * 100)

    assert "bytes (at most" in str(raw_after_handshake(oversized))


def test_an_oversized_hello_is_refused_before_authentication() -> None:
    def node(sock: socket.socket) -> None:
        channel.accept(sock, KEY, "node-1/ab12")

    with served(node) as (address, outcome):
        host, port = address.split(":")
        with socket.create_connection((host, int(port))) as sock:
            channel._read_frame(sock, channel.MAX_HELLO)
            sock.sendall(struct.pack(">I", channel.MAX_HELLO + 1) + b"{" * 2000)
    assert "at most 1024" in str(outcome["error"])


def test_signed_frames_that_are_not_objects_are_refused() -> None:
    def node(sock: socket.socket) -> None:
        link = channel.accept(sock, KEY, "node-1/ab12")
        link.receive()

    with served(node) as (address, outcome):
        link = channel.connect(address, KEY)
        body = b"[" * 100_000  # deeper than the JSON decoder goes
        tag = channel._mac(link.session, b"web", struct.pack(">Q", 0), body)
        channel._write_frame(link.sock, tag + body)
        link.sock.settimeout(10)
        assert closed(link.sock)
        link.close()
    assert "not JSON" in str(outcome["error"])
