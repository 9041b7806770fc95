"""Run one script on one host, over the connection its inventory entry names (local, ssh).

`run_script` sends the POSIX sh script on stdin to `/bin/sh -s` (`sudo -n /bin/sh -s` to
become): one command, one round trip, over one connection per host.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from scanner.models import Host, HostStatus

SHELL = ("/bin/sh", "-s")
BECOME = ("sudo", "-n")
READ_CHUNK = 256 * 1024
# what sudo says on stderr when it refuses to run without asking (sudo 1.8 – 1.9)
SUDO_REFUSALS = ("password is required", "not in the sudoers", "may not run sudo",
                 "terminal is required", "must have a tty", "not allowed to execute")  # fmt: skip


class ConnectionFailure(Exception):
    """The host could not be reached or the script could not run: that host's result."""

    def __init__(self, status: HostStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class ConnectOptions:
    ssh_config: tuple[str, ...] = ()  # OpenSSH client config files; () = ~/.ssh/config if present
    known_hosts: str | None = None  # None: what the SSH config says, else ~/.ssh/known_hosts
    trust_new_host_keys: bool = (
        False  # accept-new: record an unknown key, still refuse a changed one
    )
    connect_timeout: float = 10.0
    command_timeout: float = 120.0
    max_output_bytes: int = 64 * 1024 * 1024


@dataclass
class ScriptResult:
    stdout: bytes
    stderr: bytes
    rc: int  # -1 when the script was stopped (output over the limit) or killed by a signal
    connections: int = 1  # sessions opened: one SSH connection, or one local subprocess
    round_trips: int = 1
    extra: dict[str, str] = field(default_factory=dict)  # truncated: "stdout" | "stderr" | both


class Reader(Protocol):
    async def read(self, n: int = -1) -> bytes: ...


class Writer(Protocol):
    def write(self, data: bytes) -> Any: ...
    async def drain(self) -> None: ...
    def write_eof(self) -> None: ...


async def run_script(host: Host, script: str, options: ConnectOptions) -> ScriptResult:
    """Run `script` on `host`; raise ConnectionFailure when it cannot run there."""
    from scanner.connections import local, ssh  # they import this module's types

    runners: dict[str, Callable[[Host, str, ConnectOptions], Awaitable[ScriptResult]]] = {
        "local": local.run_script,
        "ssh": ssh.run_script,
    }
    return await runners[host.connection](host, script, options)


def remote_command(become: bool) -> tuple[str, ...]:
    return (*BECOME, *SHELL) if become else SHELL


async def exchange(
    stdin: Writer, stdout: Reader, stderr: Reader, script: str, limit: int, stop: Callable[[], Any]
) -> tuple[bytes, bytes, dict[str, str]]:
    """Feed the script, read both outputs at once; past `limit` stdout bytes, call `stop()`."""

    async def feed() -> None:
        try:
            stdin.write(script.encode())
            await stdin.drain()
            stdin.write_eof()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the shell exited before reading it all: its output and rc tell why

    async def read(stream: Reader, is_stdout: bool) -> tuple[bytes, bool]:
        chunks, size, truncated = [], 0, False
        while chunk := await stream.read(READ_CHUNK):
            if size < limit:
                chunks.append(chunk[: limit - size])
            truncated = truncated or size + len(chunk) > limit
            size += len(chunk)
            if truncated and is_stdout:
                stop()  # never hold more than the limit, never wait for an endless stream
                break
        return b"".join(chunks), truncated

    (out, out_cut), (err, err_cut), _ = await asyncio.gather(
        read(stdout, True), read(stderr, False), feed()
    )
    truncated = ",".join(name for name, cut in (("stdout", out_cut), ("stderr", err_cut)) if cut)
    return out, err, {"truncated": truncated} if truncated else {}


def check_become(host: Host, stdout: bytes, stderr: bytes, rc: int) -> None:
    """sudo -n refused before the script started: raise BECOME_FAILED with sudo's words."""
    if not host.become or stdout or rc not in (1, 126, 127):
        return
    text = stderr.decode(errors="replace").strip()
    first_line = text.splitlines()[0] if text else ""
    refused = first_line.startswith("sudo:") and any(s in text for s in SUDO_REFUSALS)
    missing = rc == 127 and "sudo" in first_line  # `sh: sudo: not found`
    if refused or missing:
        raise ConnectionFailure(HostStatus.BECOME_FAILED, f"sudo -n refused: {first_line[:200]}")
