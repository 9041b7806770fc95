"""The Lab: ensures the image, brings up named hosts, applies scenarios, writes the client files
(inventory, ssh config, known_hosts) and tears everything down, also after a crashed run."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import IO

from scanner.lab import cleanup, clientfiles, hosts, image, net, scenarios
from scanner.lab.hosts import LabHost
from scanner.lab.layout import HOST_NAME, MAX_HOSTS, Layout
from scanner.lab.system import LabError, run


def _stderr(message: str) -> None:
    print(f"hygie-lab: {message}", file=sys.stderr, flush=True)


class Lab:
    """Real Debian 12 hosts on this machine. Use as a context manager, or start() ... down().

    owner="session" labs tear down on exit; owner="cli" labs outlive the command that started
    them (`hygie lab up`) until `hygie lab down`.
    """

    def __init__(self, layout: Layout | None = None, owner: str = "session",
                 log: Callable[[str], None] = _stderr, lock_timeout: float = 120,
                 takeover: bool = False) -> None:
        self.layout = layout or Layout.default()
        self.owner = owner
        self.log = log
        self.lock_timeout = lock_timeout
        self.takeover = takeover
        self.hosts: dict[str, LabHost] = {}
        self.timings: dict[str, float] = {}
        self.lower: Path | None = None
        self.mirrors: dict[str, str] = {}
        self._lock: IO[str] | None = None
        self._state_lock = threading.Lock()  # hosts come up in threads; one writer at a time

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Lab:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.owner == "cli" and error is None:
            self.detach()
        else:
            self.down()

    def start(self) -> Lab:
        """Take the lab lock, clean a crashed run's leftovers, ensure image, bridge and relays."""
        started = time.monotonic()
        self.layout.run.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        state = self.read_state()
        if state and state.get("owner") == "cli" and self.owner == "cli":
            self.hosts = {h["name"]: LabHost.from_json(h) for h in state.get("hosts", [])}
        elif state and state.get("owner") == "cli" and not self.takeover:
            self._release_lock()
            raise LabError("a lab started by `hygie lab up` is running: stop it with "
                           "`hygie lab down` (or `python -m scanner.lab.cli down`) first")
        else:
            self.cleanup_leftovers()
        try:  # from here on the lab is ours: a failure takes down what we started
            self._ensure_key()
            self.lower = image.ensure_image(self.layout.cache, self.log)
            self.timings["image"] = time.monotonic() - started
            hosts.check_subnet_free(self.layout)
            net.bridge_up(self.layout)
            self.mirrors = net.relays_up(self.layout)
            self._save_state()
        except BaseException:
            self.down()
            raise
        return self

    def up(self, wanted: Mapping[str, str | None] | Sequence[str]) -> list[LabHost]:
        """Bring up hosts (name -> scenario or None) in parallel; return them once SSH answers
        and their scenario is applied. Hosts already up are returned as they are."""
        if self.lower is None:
            raise LabError("start the lab first")
        plan = dict(wanted) if isinstance(wanted, Mapping) else dict.fromkeys(wanted)
        started = time.monotonic()
        new: list[LabHost] = []
        for name, scenario in plan.items():
            if name in self.hosts:
                continue
            if not HOST_NAME.match(name):
                raise LabError(f"bad host name {name!r}: lowercase letters, digits and '-'")
            if len(self.hosts) >= MAX_HOSTS:
                raise LabError(f"at most {MAX_HOSTS} lab hosts")
            if scenario is not None:
                scenarios.script(scenario)  # unknown names fail before anything starts
            index = hosts.next_free_index({h.index for h in self.hosts.values()})
            host = LabHost(name, self.layout.host_address(index), index, self.layout.key,
                           self.layout.known_hosts, scenario=scenario)
            self.hosts[name] = host
            self._save_state()
            hosts.start(self.layout, self.lower, host, self.mirrors, self._public_key())
            new.append(host)
        self._save_state()
        self.write_client_files()
        _parallel(self._wait_ready, new)
        self.timings["up"] = time.monotonic() - started
        todo = [h for h in new if h.scenario]
        _parallel(lambda h: self.apply(h.name, h.scenario or ""), todo)
        return [self.hosts[name] for name in plan]

    def apply(self, name: str, scenario: str) -> None:
        """Apply a scenario to a running host (from the host side, not over SSH)."""
        host = self.hosts[name]
        started = time.monotonic()
        scenarios.apply(host.init_pid, scenario, self.layout.logs / f"scenario-{name}.log")
        host.scenario = scenario
        self.timings[f"scenario {scenario} on {name}"] = time.monotonic() - started
        self._save_state()
        self.write_client_files()

    def exec(self, name: str, command: list[str],
             input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a command inside a host from the host side; returns the CompletedProcess."""
        return scenarios.in_target(self.hosts[name].init_pid, command, input=input)

    def stop(self, *names: str) -> None:
        """Stop hosts (orderly systemd poweroff, then kill what is left) and drop their files."""
        chosen = [self.hosts[n] for n in names]
        for host in chosen:
            hosts.signal_poweroff(host)
        for host in chosen:
            hosts.finish_stop(self.layout, host)
            del self.hosts[host.name]
        self._save_state()
        self.write_client_files()

    def down(self) -> None:
        """Stop every host, the relays and the bridge; remove runtime files. Idempotent."""
        started = time.monotonic()
        if self._lock is None:
            self.layout.run.mkdir(parents=True, exist_ok=True)
            self._take_lock()
        try:
            if self.hosts:
                self.stop(*list(self.hosts))
            self.cleanup_leftovers()
            for path in (self.layout.state, self.layout.inventory, self.layout.ssh_config,
                         self.layout.known_hosts):
                path.unlink(missing_ok=True)
        finally:
            self.timings["down"] = time.monotonic() - started
            self._release_lock()

    def detach(self) -> None:
        """Leave the hosts running for later commands (`hygie lab status|down`)."""
        self._save_state()
        self._release_lock()

    def cleanup_leftovers(self) -> None:
        """Remove whatever a crashed or interrupted run left: processes, netns, mounts, relays."""
        cleanup.remove_all(self.layout)
        self.hosts = {}

    def leftovers(self) -> list[str]:
        """What of this lab exists on the machine now (empty after down())."""
        return cleanup.leftovers(self.layout)

    # -- client files ------------------------------------------------------------------------
    def write_client_files(self) -> None:
        lines = {}
        for host in self.hosts.values():
            lines[host.name] = hosts.host_key_lines(self.layout.host_dir(host.name) / "root",
                                                    host.address)
        clientfiles.write_all(list(self.hosts.values()), lines, self.layout.inventory,
                              self.layout.ssh_config, self.layout.known_hosts)

    @property
    def inventory(self) -> Path:
        return self.layout.inventory

    @property
    def ssh_config(self) -> Path:
        return self.layout.ssh_config

    @property
    def known_hosts(self) -> Path:
        return self.layout.known_hosts

    def ssh(self, name: str, command: str, user: str | None = None) -> list[str]:
        """An `ssh` command line for a host through the lab's ssh config (strict checking)."""
        target = f"{user}@{name}" if user else name
        return ["ssh", "-F", str(self.ssh_config), target, command]

    # -- internals ---------------------------------------------------------------------------
    def _wait_ready(self, host: LabHost) -> None:
        hosts.wait_ssh(host)
        done = run(self.ssh(host.name, "true"), check=False, timeout=30)
        if done.returncode != 0:
            raise LabError(f"ssh login to {host.name} failed: {done.stderr.strip()}")

    def _ensure_key(self) -> None:
        if not self.layout.key.exists():
            run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hygie-lab",
                 "-f", str(self.layout.key)])

    def _public_key(self) -> str:
        return Path(f"{self.layout.key}.pub").read_text()

    def _take_lock(self) -> None:
        handle = self.layout.lock.open("a+")
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    handle.close()
                    raise LabError(f"another lab holds {self.layout.lock} "
                                   f"(waited {self.lock_timeout:.0f} s)") from None
                time.sleep(0.2)
        self._lock = handle

    def _release_lock(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def read_state(self) -> dict | None:
        try:
            return json.loads(self.layout.state.read_text())
        except (OSError, ValueError):
            return None

    def _save_state(self) -> None:
        part = self.layout.state.with_suffix(".part")
        with self._state_lock:
            state = {"owner": self.owner, "pid": os.getpid(),
                     "hosts": [h.to_json() for h in list(self.hosts.values())]}
            part.write_text(json.dumps(state, indent=1))
            part.replace(self.layout.state)


def _parallel(work: Callable[[LabHost], None], items: list[LabHost]) -> None:
    """Run work on every item in threads; on an error or an interrupt, do not wait for the
    others (the teardown that follows stops their hosts, which ends their commands)."""
    pool = ThreadPoolExecutor(max(1, len(items)))
    try:
        for future in [pool.submit(work, item) for item in items]:
            future.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
