"""The control channel between web instances and a media node: JSON over TCP, never pickle.

A web process and its own worker processes talk through `multiprocessing.connection`, which
unpickles what it receives: fine on a private Unix socket, not on a network, where whoever passes
the handshake could make the other side run code. Here only JSON objects are read.

Each frame is a 4-byte big-endian length and that many bytes; a length over the bound closes the
connection before anything is read. On connect both sides prove they hold the shared key
(MEDIA_NODE_KEY) without sending it:

1. the node sends `{"hello": PROTOCOL, "nonce": Ns, "node": its id}`;
2. the web side answers `{"nonce": Nc, "proof": HMAC(key, "client" Ns Nc)}`;
3. the node checks it (a wrong proof closes the connection, nothing else is read) and answers
   `{"proof": HMAC(key, "server" Nc Ns)}`, which the web side checks in turn: a stand-in node
   without the key learns nothing and is not believed.

From then on every frame carries HMAC(session key, direction, sequence number, body) before its
JSON, the session key drawn from both nonces: a frame changed, replayed, reordered or sent the
other way on the path is refused. This is integrity, not secrecy: the descriptions it carries hold
no secret that DTLS does not protect, but run it on the platform's own network (or a VPN).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import socket
import struct
import threading
from typing import Any

PROTOCOL = "intersession-media-node/1"
MAX_FRAME = 256 * 1024  # an offer is a few kilobytes; the room's descriptions are checked at 64 KB
MAX_HELLO = 1024
HANDSHAKE_SECONDS = 5.0
TAG = 32  # bytes of HMAC-SHA256


class ChannelError(Exception):
    """The connection ended, or the other side sent what it must not: it is closed."""


class ChannelRefused(ChannelError):
    """The other side does not hold the key (or does not speak this protocol)."""


def _mac(key: bytes, *parts: bytes) -> bytes:
    return hmac.new(key, b"".join(parts), hashlib.sha256).digest()


def _read_exact(sock: socket.socket, count: int) -> bytes:
    chunks, left = [], count
    while left:
        try:
            chunk = sock.recv(min(left, 65536))
        except (OSError, ValueError) as error:  # timed out, reset, or closed under us
            raise ChannelError(f"connection lost: {error}") from None
        if not chunk:
            raise ChannelError("connection closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_frame(sock: socket.socket, limit: int) -> bytes:
    (length,) = struct.unpack(">I", _read_exact(sock, 4))
    if length > limit:
        raise ChannelError(f"a frame of {length} bytes (at most {limit})")
    return _read_exact(sock, length)


def _write_frame(sock: socket.socket, body: bytes) -> None:
    try:
        sock.sendall(struct.pack(">I", len(body)) + body)
    except (OSError, ValueError) as error:
        raise ChannelError(f"connection lost: {error}") from None


def _object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ChannelError("not JSON") from None
    if not isinstance(value, dict):
        raise ChannelError("not a JSON object")
    return value


def _nonce(hello: dict[str, Any]) -> bytes:
    value = hello.get("nonce")
    try:
        nonce = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        nonce = b""
    if len(nonce) != 32:
        raise ChannelRefused("no nonce")
    return nonce


def _proof(message: dict[str, Any], expected: bytes) -> None:
    value = message.get("proof")
    given = value.encode() if isinstance(value, str) else b""
    if not hmac.compare_digest(given, expected.hex().encode()):
        raise ChannelRefused("wrong key")


class Channel:
    """An authenticated connection: `send` from any thread, `receive` from one reader."""

    def __init__(self, sock: socket.socket, session: bytes, outgoing: bytes, peer: str) -> None:
        self.sock = sock
        self.session = session
        self.outgoing, self.incoming = outgoing, b"node" if outgoing == b"web" else b"web"
        self.peer = peer  # the other side's id (a node) or address (a web instance)
        self.sent = self.received = 0
        self.lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message, separators=(",", ":")).encode()
        with self.lock:
            tag = _mac(self.session, self.outgoing, struct.pack(">Q", self.sent), body)
            if len(body) + TAG > MAX_FRAME:
                raise ChannelError("message too large")
            _write_frame(self.sock, tag + body)
            self.sent += 1

    def receive(self) -> dict[str, Any]:
        frame = _read_frame(self.sock, MAX_FRAME)
        tag, body = frame[:TAG], frame[TAG:]
        expected = _mac(self.session, self.incoming, struct.pack(">Q", self.received), body)
        if not hmac.compare_digest(tag, expected):
            raise ChannelError("a frame with a wrong signature")
        self.received += 1
        return _object(body)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes a reader blocked on it
        self.sock.close()


def _keep_alive(sock: socket.socket) -> None:
    """The kernel notices a peer that vanished without a word (a cable, a frozen machine)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (("TCP_KEEPIDLE", 5), ("TCP_KEEPINTVL", 2), ("TCP_KEEPCNT", 3)):
        if hasattr(socket, option):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def accept(sock: socket.socket, key: bytes, node_id: str) -> Channel:
    """The node's side of the handshake on a connection just accepted; raises ChannelError (the
    caller closes the socket) unless the other side proved it holds the key."""
    sock.settimeout(HANDSHAKE_SECONDS)  # a silent stranger does not hold a thread for long
    ours = secrets.token_bytes(32)
    _write_frame(
        sock, json.dumps({"hello": PROTOCOL, "nonce": ours.hex(), "node": node_id}).encode()
    )
    answer = _object(_read_frame(sock, MAX_HELLO))
    theirs = _nonce(answer)
    _proof(answer, _mac(key, b"client", ours, theirs))
    _write_frame(sock, json.dumps({"proof": _mac(key, b"server", theirs, ours).hex()}).encode())
    sock.settimeout(None)
    _keep_alive(sock)
    host, port = sock.getpeername()[:2]
    peer = f"{host}:{port}"
    return Channel(sock, _mac(key, b"session", ours, theirs), b"node", peer)


def connect(address: str, key: bytes, timeout: float = HANDSHAKE_SECONDS) -> Channel:
    """A web instance's connection to the node at `host:port`, once both sides proved the key;
    the channel's `peer` is the node's id (which incarnation of the node answered)."""
    host, _, port = address.rpartition(":")
    try:
        sock = socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    except (OSError, ValueError) as error:
        raise ChannelError(f"cannot reach {address}: {error}") from None
    try:
        hello = _object(_read_frame(sock, MAX_HELLO))
        if hello.get("hello") != PROTOCOL or not isinstance(hello.get("node"), str):
            raise ChannelRefused("not a media node")
        theirs, ours = _nonce(hello), secrets.token_bytes(32)
        proof = _mac(key, b"client", theirs, ours).hex()
        _write_frame(sock, json.dumps({"nonce": ours.hex(), "proof": proof}).encode())
        _proof(_object(_read_frame(sock, MAX_HELLO)), _mac(key, b"server", ours, theirs))
    except BaseException:
        sock.close()
        raise
    sock.settimeout(None)
    _keep_alive(sock)
    return Channel(sock, _mac(key, b"session", theirs, ours), b"web", hello["node"])
