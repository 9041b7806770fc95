"""Run one script on one host, over the connection its inventory entry names (local, ssh)."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.models import Host, HostStatus


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
    trust_new_host_keys: bool = False  # accept-new: record an unknown key, still refuse a changed one
    connect_timeout: float = 10.0
    command_timeout: float = 120.0
    max_output_bytes: int = 64 * 1024 * 1024


@dataclass
class ScriptResult:
    stdout: bytes
    stderr: bytes
    rc: int
    connections: int = 1
    round_trips: int = 1
    extra: dict[str, str] = field(default_factory=dict)
