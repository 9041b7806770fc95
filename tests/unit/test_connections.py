"""Connections for real: local subprocesses, and a throwaway OpenSSH server on 127.0.0.1.

The SSH tests start `/usr/sbin/sshd` (package openssh-server) as root on a free loopback
port; no traffic leaves the loopback. In CI (CI set) they must run: missing root or sshd fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scanner.connections import ConnectionFailure, ConnectOptions, ScriptResult, run_script
from scanner.models import Host, HostStatus

SSHD = "/usr/sbin/sshd"
NO_SUDO_USER = "hygie-test-nosudo"
LOCAL = Host(name="local", connection="local")


def run(host: Host, script: str, options: ConnectOptions | None = None) -> ScriptResult:
    return asyncio.run(run_script(host, script, options or ConnectOptions()))


def failure(host: Host, script: str, options: ConnectOptions | None = None) -> ConnectionFailure:
    with pytest.raises(ConnectionFailure) as error:
        run(host, script, options)
    return error.value


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- local -------------------------------------------------------------------------------


def test_local_returns_stdout_stderr_and_rc() -> None:
    result = run(LOCAL, "echo out; echo err >&2; exit 3\n")
    assert (result.stdout, result.stderr, result.rc, result.extra) == (b"out\n", b"err\n", 3, {})


def test_local_binary_and_huge_output() -> None:
    binary = run(LOCAL, r"printf '\000\377\200\n'; head -c 20000000 /dev/zero" + "\n")
    assert binary.stdout[:4] == b"\x00\xff\x80\n" and len(binary.stdout) == 20_000_004
    cut = run(LOCAL, "yes hygie\n", ConnectOptions(max_output_bytes=1_000_000))
    assert len(cut.stdout) == 1_000_000 and cut.extra == {"truncated": "stdout"} and cut.rc == -1


def test_local_timeout() -> None:
    started = time.monotonic()
    error = failure(LOCAL, "sleep 30\n", ConnectOptions(command_timeout=0.5))
    assert error.status == HostStatus.TIMEOUT and time.monotonic() - started < 5


def test_local_become_runs_as_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("sudo -n would need this user's sudoers rule; the SSH tests cover become")
    result = run(LOCAL.model_copy(update={"become": True}), "id -u\n")  # root: no sudo needed
    assert (result.stdout, result.rc) == (b"0\n", 0)


# --- ssh ---------------------------------------------------------------------------------


@dataclass
class Lab:
    port: int
    root: Path  # the test's files: keys, known_hosts, config, sshd log
    host_public_key: str
    client_key: Path
    log: Path

    def host(self, **fields: object) -> Host:
        base = {"name": "lab", "address": "127.0.0.1", "port": self.port, "user": "root",
                "key_file": str(self.client_key)}  # fmt: skip
        return Host(**{**base, **fields})  # type: ignore[arg-type]

    def options(self, known_hosts: Path | None = None, **fields: object) -> ConnectOptions:
        if known_hosts is None:
            known_hosts = self.root / "known_hosts.trusted"
            known_hosts.write_text(f"[127.0.0.1]:{self.port} {self.host_public_key}\n")
        empty_config = self.root / "empty_config"
        empty_config.touch()
        defaults = {"ssh_config": (str(empty_config),), "known_hosts": str(known_hosts),
                    "connect_timeout": 5.0, "command_timeout": 20.0}  # fmt: skip
        return ConnectOptions(**{**defaults, **fields})  # type: ignore[arg-type]

    def accepted_logins(self) -> int:
        return self.log.read_text(errors="replace").count("Accepted publickey")


def require_root_and_sshd() -> None:
    missing = [why for bad, why in ((os.geteuid() != 0, "root"), (not Path(SSHD).exists(), SSHD))
               if bad]  # fmt: skip
    if not missing:
        return
    message = f"SSH tests need {' and '.join(missing)} (apt-get install openssh-server sudo)"
    if os.environ.get("CI"):
        pytest.fail(message + ": CI must run them")
    pytest.skip(message)


def keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return " ".join(path.with_suffix(".pub").read_text().split()[:2])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    require_root_and_sshd()
    root = tmp_path_factory.mktemp("sshd")
    host_public_key = keygen(root / "host_ed25519")
    (root / "authorized_keys").write_text(keygen(root / "client_ed25519") + "\n")
    port = free_port()
    (root / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {root / 'host_ed25519'}\n"
        f"AuthorizedKeysFile {root / 'authorized_keys'} .ssh/authorized_keys\n"
        f"PidFile {root / 'sshd.pid'}\n"
        "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nLogLevel VERBOSE\n"
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    log = root / "sshd.log"
    command = [SSHD, "-D", "-f", str(root / "sshd_config"), "-E", str(log)]
    server = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + 10
        while server.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"sshd did not start: {log.read_text() if log.exists() else ''}")
        yield Lab(port, root, host_public_key, root / "client_ed25519", log)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def user_without_sudo(lab: Lab) -> Iterator[str]:
    if not shutil.which("sudo") or not shutil.which("useradd"):
        message = "the become test needs sudo and useradd"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    subprocess.run(["useradd", "--create-home", NO_SUDO_USER], check=False, capture_output=True)
    subprocess.run(["usermod", "-p", "*", NO_SUDO_USER], check=True)  # unlocked, no password
    ssh_dir = Path(f"~{NO_SUDO_USER}").expanduser() / ".ssh"
    ssh_dir.mkdir(exist_ok=True)
    shutil.copy(lab.root / "authorized_keys", ssh_dir / "authorized_keys")
    for path in (ssh_dir, ssh_dir / "authorized_keys"):
        shutil.chown(path, NO_SUDO_USER, NO_SUDO_USER)
    try:
        yield NO_SUDO_USER
    finally:
        subprocess.run(["userdel", "--remove", NO_SUDO_USER], check=False, capture_output=True)


@pytest.fixture(autouse=True)
def no_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)  # only the keys a test gives


def test_ssh_runs_the_script_over_one_connection(lab: Lab) -> None:
    before = lab.accepted_logins()
    result = run(lab.host(), "echo hello; id -u; echo warn >&2; exit 5\n", lab.options())
    assert (result.stdout, result.stderr, result.rc) == (b"hello\n0\n", b"warn\n", 5)
    assert (result.connections, result.round_trips) == (1, 1)
    assert lab.accepted_logins() - before == 1


def test_ssh_unknown_host_key_is_refused(lab: Lab) -> None:
    known_hosts = lab.root / "known_hosts.empty"
    known_hosts.write_text("")
    error = failure(lab.host(), "true\n", lab.options(known_hosts))
    assert error.status == HostStatus.HOST_KEY_UNKNOWN and "SHA256:" in error.reason
    assert known_hosts.read_text() == ""


def test_ssh_accept_new_records_the_key(lab: Lab) -> None:
    known_hosts = lab.root / "new" / "known_hosts"
    options = lab.options(known_hosts, trust_new_host_keys=True)
    assert run(lab.host(), "echo first\n", options).stdout == b"first\n"
    assert known_hosts.read_text() == f"[127.0.0.1]:{lab.port} {lab.host_public_key}\n"
    strict = lab.options(known_hosts)
    assert run(lab.host(), "echo again\n", strict).stdout == b"again\n"
    assert known_hosts.read_text().count("\n") == 1


def test_ssh_changed_host_key_is_refused_even_with_accept_new(lab: Lab) -> None:
    known_hosts = lab.root / "known_hosts.other"
    known_hosts.write_text(f"[127.0.0.1]:{lab.port} {keygen(lab.root / 'impostor')}\n")
    for trust_new in (False, True):
        options = lab.options(known_hosts, trust_new_host_keys=trust_new)
        assert failure(lab.host(), "true\n", options).status == HostStatus.HOST_KEY_MISMATCH


def test_ssh_wrong_client_key_is_auth_failed(lab: Lab) -> None:
    keygen(lab.root / "stranger")
    host = lab.host(key_file=str(lab.root / "stranger"))
    error = failure(host, "true\n", lab.options())
    assert error.status == HostStatus.AUTH_FAILED and "permission denied" in error.reason
    missing_key = lab.host(key_file=str(lab.root / "no_such_key"))
    assert failure(missing_key, "true\n", lab.options()).status == HostStatus.AUTH_FAILED


def test_ssh_refused_port_is_unreachable(lab: Lab) -> None:
    error = failure(lab.host(port=free_port()), "true\n", lab.options())
    assert error.status == HostStatus.UNREACHABLE and "refused" in error.reason


def test_ssh_silent_server_times_out(lab: Lab) -> None:
    with socket.socket() as silent:  # the kernel completes the handshake; nobody ever speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.monotonic()
        host = lab.host(port=silent.getsockname()[1])
        error = failure(host, "true\n", lab.options(connect_timeout=0.5))
    assert error.status == HostStatus.TIMEOUT and "0.5s" in error.reason
    assert time.monotonic() - started < 5


def test_ssh_slow_script_times_out(lab: Lab) -> None:
    error = failure(lab.host(), "sleep 30\n", lab.options(command_timeout=0.5))
    assert error.status == HostStatus.TIMEOUT and "0.5s" in error.reason


def test_ssh_binary_and_huge_output(lab: Lab) -> None:
    script = r"printf '\000\377\200\n'; head -c 20000000 /dev/urandom" + "\n"
    result = run(lab.host(), script, lab.options())
    assert result.stdout[:4] == b"\x00\xff\x80\n" and len(result.stdout) == 20_000_004
    assert result.rc == 0 and "truncated" not in result.extra
    assert result.extra["peer_address"] == "127.0.0.1"
    cut = run(lab.host(), "yes hygie\n", lab.options(max_output_bytes=1_000_000))
    assert len(cut.stdout) == 1_000_000 and cut.extra["truncated"] == "stdout" and cut.rc == -1


def test_ssh_become_with_sudo(lab: Lab) -> None:
    if not shutil.which("sudo"):
        pytest.skip("sudo is not installed") if not os.environ.get("CI") else pytest.fail("sudo")
    result = run(lab.host(become=True), "id -u\n", lab.options())
    assert (result.stdout, result.rc) == (b"0\n", 0)


def test_ssh_become_refused_by_sudo(lab: Lab, user_without_sudo: str) -> None:
    as_user = run(lab.host(user=user_without_sudo), "id -un\n", lab.options())
    assert as_user.stdout == f"{user_without_sudo}\n".encode()
    error = failure(lab.host(user=user_without_sudo, become=True), "id -u\n", lab.options())
    assert error.status == HostStatus.BECOME_FAILED and "sudo" in error.reason


def test_ssh_config_names_the_host(lab: Lab) -> None:
    known_hosts = lab.root / "known_hosts.from_config"
    config = lab.root / "ssh_config"
    config.write_text(
        f"Host hygie-lab\n  HostName 127.0.0.1\n  Port {lab.port}\n  User root\n"
        f"  IdentityFile {lab.client_key}\n  IdentitiesOnly yes\n"
        f"  UserKnownHostsFile {known_hosts}\n"
    )
    options = ConnectOptions(ssh_config=(str(config),), trust_new_host_keys=True)
    result = run(Host(name="hygie-lab"), "id -u\n", options)
    assert result.stdout == b"0\n"
    assert known_hosts.read_text() == f"[127.0.0.1]:{lab.port} {lab.host_public_key}\n"
