"""probe_tls against real TLS servers the test starts on 127.0.0.1 (loopback only): one that
accepts TLS 1.0, one limited to TLS 1.2+, a plain-TCP port and a closed port."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.facts import Facts
from scanner.probes.tls import probe_tls, tls_probe_ports

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@contextlib.contextmanager
def tls_server(certificate: tuple[Path, Path], minimum: ssl.TLSVersion | None) -> Iterator[int]:
    """A TLS server on 127.0.0.1 (a free port) that completes handshakes until closed."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*map(str, certificate))
    if minimum is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = minimum
        context.set_ciphers("ALL:@SECLEVEL=0")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with contextlib.suppress(OSError):
                conn.settimeout(2)
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        listener.close()


def test_legacy_server_accepts_tls10(certificate) -> None:
    with tls_server(certificate, ssl.TLSVersion.TLSv1) as port:
        [probe] = asyncio.run(probe_tls("127.0.0.1", [port], timeout=5.0))
    assert (probe.port, probe.tls, probe.error) == (port, True, None)
    assert probe.version == "TLSv1.3"
    assert probe.legacy_accepted == ["TLSv1", "TLSv1.1"]


def test_modern_server_refuses_legacy(certificate) -> None:
    with tls_server(certificate, None) as port:  # Python's default server: TLS 1.2+
        [probe] = asyncio.run(probe_tls("127.0.0.1", [port], timeout=5.0))
    assert (probe.tls, probe.version, probe.legacy_accepted) == (True, "TLSv1.3", [])
    assert probe.cipher


def test_plain_tcp_and_closed_ports() -> None:
    plain = socket.create_server(("127.0.0.1", 0))
    closed = socket.create_server(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()

    def answer_http() -> None:  # the normal, TLS 1.0 and TLS 1.1 attempts each get an answer
        for _ in range(3):
            with contextlib.suppress(OSError):
                conn, _ = plain.accept()
                conn.recv(1024)
                conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")
                conn.close()

    threading.Thread(target=answer_http, daemon=True).start()
    port = plain.getsockname()[1]
    try:
        not_tls, refused = asyncio.run(probe_tls("127.0.0.1", [port, closed_port], timeout=3.0))
    finally:
        plain.close()
    assert (not_tls.tls, refused.tls) == (False, False)
    assert not_tls.error and not_tls.error.startswith("no TLS 1.2+")
    assert refused.error == "unreachable: ConnectionRefusedError"


def test_ports_come_from_network_services() -> None:
    facts = Facts.model_validate(
        {
            "network_services": {
                "scanned_as_root": True,
                "package_manager": "dpkg",
                "listeners": [
                    {"protocol": "tcp", "address": "0.0.0.0", "port": 443, "loopback": False},
                    {"protocol": "tcp", "address": "0.0.0.0", "port": 8080,
                     "processes": ["nginx"], "loopback": False},
                    {"protocol": "tcp", "address": "127.0.0.1", "port": 993, "loopback": True},
                    {"protocol": "udp", "address": "0.0.0.0", "port": 443, "loopback": False},
                    {"protocol": "tcp", "address": "0.0.0.0", "port": 22,
                     "processes": ["sshd"], "loopback": False},
                ],
            }
        }
    )  # fmt: skip
    assert tls_probe_ports(facts) == [443, 8080]
    assert tls_probe_ports(Facts()) == []
