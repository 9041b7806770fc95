"""Run the scan script on the machine Hygie runs on, in a subprocess (`sudo -n` to become)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

from scanner.connections import (
    ConnectionFailure,
    ConnectOptions,
    ScriptResult,
    check_become,
    exchange,
    remote_command,
)
from scanner.models import Host, HostStatus


async def run_script(host: Host, script: str, options: ConnectOptions) -> ScriptResult:
    become = host.become and os.geteuid() != 0  # root needs no sudo
    command = remote_command(become)
    try:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # a timeout kills the script's children too
        )
    except OSError as exc:
        status = HostStatus.BECOME_FAILED if become else HostStatus.ERROR
        raise ConnectionFailure(status, f"cannot run {command[0]}: {exc.strerror}") from exc
    assert process.stdin and process.stdout and process.stderr

    def stop() -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # sudo's: root's
            os.killpg(process.pid, signal.SIGKILL)
        # a root shell we may not kill still dies of SIGPIPE once nobody reads its output
        transport = getattr(process, "_transport", None)
        if transport and (stdout_pipe := transport.get_pipe_transport(1)):
            stdout_pipe.close()

    try:
        async with asyncio.timeout(options.command_timeout):
            stdout, stderr, extra = await exchange(
                process.stdin, process.stdout, process.stderr, script,
                options.max_output_bytes, stop,
            )  # fmt: skip
            rc = await process.wait()
    except TimeoutError:
        raise ConnectionFailure(
            HostStatus.TIMEOUT, f"script did not finish within {options.command_timeout:g}s"
        ) from None
    finally:
        if process.returncode is None:
            stop()
            await process.wait()
    rc = -1 if "stdout" in extra.get("truncated", "") or rc < 0 else rc
    check_become(host.model_copy(update={"become": become}), stdout, stderr, rc)
    return ScriptResult(stdout=stdout, stderr=stderr, rc=rc, extra=extra)
