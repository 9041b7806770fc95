"""Run the scan script over one SSH connection (asyncssh), as the user's OpenSSH client would.

Honours ~/.ssh/config, checks host keys against known_hosts (accept-new on request), and
authenticates with keys or the agent only: never a password prompt.
"""

from __future__ import annotations

import asyncio
import errno
import getpass
import shlex
import socket
from pathlib import Path

import asyncssh
from asyncssh.config import SSHClientConfig, SSHConfig

from scanner.connections import (
    ConnectionFailure,
    ConnectOptions,
    ScriptResult,
    check_become,
    exchange,
    remote_command,
)
from scanner.models import Host, HostStatus

DEFAULT_CONFIG = Path("~/.ssh/config").expanduser()
DEFAULT_KNOWN_HOSTS = Path("~/.ssh/known_hosts").expanduser()


class HostKeyPolicy(asyncssh.SSHClient):
    """Called by asyncssh for a key known_hosts does not trust: tells unknown from changed."""

    def __init__(self, known: asyncssh.SSHKnownHosts, record_to: Path | None) -> None:
        self.known = known
        self.record_to = record_to  # accept-new: where to append an unknown host's key
        self.refusal: ConnectionFailure | None = None

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        fingerprint = key.get_fingerprint()
        trusted, trusted_cas, *_ = self.known.match(host, addr, port if port != 22 else None)
        if trusted or trusted_cas:
            self.refusal = ConnectionFailure(
                HostStatus.HOST_KEY_MISMATCH,
                f"host key of {host} ({fingerprint}) differs from the one in known_hosts: "
                "reinstalled host or man-in-the-middle; check before updating known_hosts",
            )
            return False
        if self.record_to is None:
            self.refusal = ConnectionFailure(
                HostStatus.HOST_KEY_UNKNOWN,
                f"host key of {host} ({fingerprint}) is not in known_hosts; check it, then "
                "add it (ssh-keyscan) or trust new host keys",
            )
            return False
        pattern = host if port == 22 else f"[{host}]:{port}"
        key_text = " ".join(key.export_public_key("openssh").decode().split()[:2])
        self.record_to.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self.record_to.open("a", encoding="utf-8") as known_hosts:
            known_hosts.write(f"{pattern} {key_text}\n")
        self.known.load(f"{pattern} {key_text}\n")
        return True


async def run_script(host: Host, script: str, options: ConnectOptions) -> ScriptResult:
    address = host.address or host.name
    connection = await _connect(host, address, options)
    async with connection:
        peer = connection.get_extra_info("peername")
        try:
            async with asyncio.timeout(options.command_timeout):
                process = await connection.create_process(
                    shlex.join(remote_command(host.become)), encoding=None
                )
                stdout, stderr, extra = await exchange(
                    process.stdin, process.stdout, process.stderr, script,
                    options.max_output_bytes, process.close,
                )  # fmt: skip
                await process.wait_closed()
        except TimeoutError:
            raise ConnectionFailure(
                HostStatus.TIMEOUT, f"script did not finish within {options.command_timeout:g}s"
            ) from None
        except (asyncssh.Error, OSError) as exc:
            raise ConnectionFailure(
                HostStatus.ERROR, f"lost while running the script: {exc}"
            ) from exc
    rc = process.exit_status
    if rc is None or rc < 0 or "stdout" in extra.get("truncated", ""):
        rc = -1
    check_become(host, stdout, stderr, rc)
    if peer:
        extra["peer_address"] = str(peer[0])  # what the SSH config resolved: TLS probes go there
    return ScriptResult(stdout=stdout, stderr=stderr, rc=rc, extra=extra)


async def _connect(
    host: Host, address: str, options: ConnectOptions
) -> asyncssh.SSHClientConnection:
    """One authenticated connection, or a ConnectionFailure that says why not."""
    config_paths = [str(Path(p).expanduser()) for p in options.ssh_config]
    if not options.ssh_config and DEFAULT_CONFIG.is_file():
        config_paths = [str(DEFAULT_CONFIG)]
    try:
        config = SSHClientConfig.load(
            None, config_paths, False, False, False, getpass.getuser(),
            host.user or (), address, host.port or (),
        )  # fmt: skip
    except (OSError, asyncssh.ConfigParseError) as exc:
        raise ConnectionFailure(HostStatus.ERROR, f"cannot read SSH config: {exc}") from exc
    known_files = _known_hosts_files(options, config)
    known = asyncssh.read_known_hosts([str(p) for p in known_files if p.is_file()])
    policy = HostKeyPolicy(known, known_files[0] if options.trust_new_host_keys else None)
    if host.key_file and not Path(host.key_file).is_file():
        raise ConnectionFailure(HostStatus.AUTH_FAILED, f"key file {host.key_file} not found")
    port = host.port or config.get("Port", 22)
    try:
        async with asyncio.timeout(options.connect_timeout):
            return await asyncssh.connect(
                address, port=host.port or (), username=host.user or (),
                client_keys=[host.key_file] if host.key_file else (),
                ignore_encrypted=not host.key_file, config=config_paths, known_hosts=known,
                client_factory=lambda: policy, password_auth=False, kbdint_auth=False,
            )  # fmt: skip
    except TimeoutError:
        reason = f"no SSH session with {address}:{port} within {options.connect_timeout:g}s"
        raise ConnectionFailure(HostStatus.TIMEOUT, reason) from None
    except asyncssh.HostKeyNotVerifiable as exc:
        raise policy.refusal or ConnectionFailure(HostStatus.HOST_KEY_MISMATCH, exc.reason) from exc
    except asyncssh.PermissionDenied as exc:
        reason = f"permission denied for {config.get('User') or getpass.getuser()}@{address}"
        raise ConnectionFailure(HostStatus.AUTH_FAILED, f"{reason} ({exc.reason})") from exc
    except (asyncssh.KeyImportError, asyncssh.KeyEncryptionError) as exc:
        raise ConnectionFailure(HostStatus.AUTH_FAILED, f"cannot use the key: {exc}") from exc
    except asyncssh.Error as exc:
        raise ConnectionFailure(HostStatus.UNREACHABLE, f"{address}:{port}: {exc.reason}") from exc
    except OSError as exc:
        raise ConnectionFailure(
            HostStatus.UNREACHABLE, _network_reason(exc, address, port)
        ) from exc


def _known_hosts_files(options: ConnectOptions, config: SSHConfig) -> list[Path]:
    """The option, else the config's UserKnownHostsFile (~/.ssh/known_hosts); new keys go first."""
    if options.known_hosts:
        return [Path(options.known_hosts).expanduser()]
    user_files = [Path(p).expanduser() for p in _paths(config, "UserKnownHostsFile")]
    global_files = [Path(p).expanduser() for p in _paths(config, "GlobalKnownHostsFile")]
    return (user_files or [DEFAULT_KNOWN_HOSTS]) + global_files


def _paths(config: SSHConfig, option: str) -> list[str]:
    value = config.get(option)
    return [str(p) for p in value] if isinstance(value, list | tuple) else []


def _network_reason(exc: OSError, address: str, port: object) -> str:
    if isinstance(exc, socket.gaierror):
        return f"{address} does not resolve ({exc.strerror})"
    if exc.errno == errno.ECONNREFUSED or "refused" in str(exc).lower():
        return f"connection refused by {address}:{port}"
    if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return f"no route to {address}"
    return f"{address}:{port}: {exc.strerror or exc}"
