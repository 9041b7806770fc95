"""Where a lab keeps things: image cache, run dir, and its own bridge, subnet and name prefix.

Defaults: cache /var/cache/hygie-lab, run dir /tmp/hygie-lab, bridge hygiebr0 on 10.201.0.0/24,
netns and cgroups named hygie-<host>; each can be changed by a HYGIE_LAB_* variable.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PREFIX_LEN = 24
FIRST_HOST_OCTET = 10  # .1-.9: the host side of the bridge and the mirror relays
MAX_HOSTS = 200
HOST_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
PACKAGE_DIR = Path(__file__).parent


def shell_script(name: str) -> Path:
    return PACKAGE_DIR / "sh" / name


@dataclass(frozen=True)
class Layout:
    """All paths and names of one lab; two labs with distinct layouts can run side by side."""

    run: Path
    cache: Path
    bridge: str = "hygiebr0"
    subnet: str = "10.201.0"  # a /24, given by its first three octets
    prefix: str = "hygie-"  # netns and cgroup names: <prefix><host name>

    @classmethod
    def default(cls) -> Layout:
        """The layout from the environment (HYGIE_LAB_RUN, _CACHE, _BRIDGE, _SUBNET, _PREFIX)."""
        env = os.environ.get
        return cls(
            Path(env("HYGIE_LAB_RUN", "/tmp/hygie-lab")),
            Path(env("HYGIE_LAB_CACHE", "/var/cache/hygie-lab")),
            env("HYGIE_LAB_BRIDGE", "hygiebr0"),
            env("HYGIE_LAB_SUBNET", "10.201.0"),
            env("HYGIE_LAB_PREFIX", "hygie-"),
        )

    lock = property(lambda self: self.run / "lock")
    state = property(lambda self: self.run / "state.json")
    key = property(lambda self: self.run / "id_ed25519")
    known_hosts = property(lambda self: self.run / "known_hosts")
    ssh_config = property(lambda self: self.run / "ssh_config")
    inventory = property(lambda self: self.run / "inventory.yml")
    logs = property(lambda self: self.run / "logs")
    hosts = property(lambda self: self.run / "hosts")

    def host_dir(self, name: str) -> Path:
        return self.hosts / name

    def host_address(self, index: int) -> str:
        return f"{self.subnet}.{FIRST_HOST_OCTET + index}"

    def relay_address(self, index: int) -> str:
        """Bridge address of the relay to the index-th mirror host (.1 is also the host side)."""
        return f"{self.subnet}.{1 + index}"

    def netns(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def cgroup_name(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def veth(self, index: int) -> str:
        return f"{self.prefix.rstrip('-')[:8]}v{index}"
