"""pyinfra deploys of the kernel rules, twins of roles/hygie_linux/tasks/kernel_*.yml: each rule
writes its own drop-in /etc/sysctl.d/99-zzz-hygie-<rule_id>.conf (the role's template, the values
files/sysctl_state.sh chooses) and sets the values in effect with sysctl -w where /proc/sys can
be written; keys it cannot write (a container's kernel.* and fs.*) are reported, not failed."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from io import StringIO
from typing import Any

import yaml
from hygie_ops import ROLE, ExactText, Lines, note, refuse, unified
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pyinfra import host
from pyinfra.api import FileUploadCommand, deploy, operation
from pyinfra.facts.files import File
from services import role_script

DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text(encoding="utf-8"))
SYSCTL_DIR: str = DEFAULTS["hygie_linux_sysctl_dir"]
REDIRECTS = "kernel_network_redirects_disabled"
ROUTING_INTERFACES = (
    "ls /sys/class/net | grep -E '^(docker|podman|cni|flannel|cali|cilium|weave|kube|virbr|lxcbr"
    "|lxdbr|incusbr|br-|veth|wg|tun|tap|vxlan|zt)' || true"
)


def dropin(rule_id: str) -> str:
    return f"{SYSCTL_DIR}/99-zzz-hygie-{rule_id}.conf"


def render_dropin(rule_id: str, settings: list[list[str]]) -> str:
    """The role's sysctl_dropin.conf.j2, rendered the way Ansible's template module renders it."""
    environment = Environment(
        loader=FileSystemLoader(ROLE / "templates"),
        trim_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    return environment.get_template("sysctl_dropin.conf.j2").render(
        hygie_linux_sysctl_rule=rule_id, hygie_linux_sysctl_settings=settings
    )


def sysctl_state(rule_id: str, spec: list[str]) -> dict[str, Any]:
    """files/sysctl_state.sh: settings to write, keys to apply, read-only keys, later files."""
    name = dropin(rule_id).rsplit("/", 1)[1]
    output = host.get_fact(Lines, script=role_script("sysctl_state.sh", name, *spec))
    return json.loads(output[-1])


@operation()
def sysctl_dropin(rule_id: str, spec: list[str]):
    """Write the rule's drop-in (root:root 0644) and set its values in effect (sysctl -w)."""
    state = sysctl_state(rule_id, spec)
    path = dropin(rule_id)
    if state["later"]:
        note(
            "Refused: these assignments are applied after Hygie's drop-in and would win: "
            f"{'; '.join(state['later'])}. Remove them (or set the value the rule expects "
            "there), then run the fix again.",
            refusal=True,
        )
        host.noop("refused: a later sysctl file would win")
        return
    wanted = render_dropin(rule_id, state["settings"])
    current = host.get_fact(ExactText, path=path)
    stat: dict[str, Any] = host.get_fact(File, path=path) or {}
    said: list[str] = []
    commands: list[Any] = []
    if current != wanted:
        said.append(unified(current or "", wanted, path))
        commands.append(FileUploadCommand(StringIO(wanted), path))
    if current != wanted or (stat.get("user"), stat.get("group"), stat.get("mode")) != (
        "root",
        "root",
        644,
    ):
        commands.append(f"chown root:root {path} && chmod 0644 {path}")
    if state["apply"]:
        writes = [f"{key}={value}" for key, value in state["settings"] if key in state["apply"]]
        commands.append(f"/usr/sbin/sysctl -w {' '.join(map(shlex.quote, writes))}")
        said.append(f"sysctl -w {' '.join(writes)}")
        if "net.ipv4.ip_forward" in state["apply"]:
            # the kernel sets net.ipv4.conf.all.accept_redirects back to 1 when ip_forward
            # turns 0: the redirects rule's drop-in, when there is one, is applied again
            again = shlex.quote(dropin(REDIRECTS))
            commands.append(f"[ ! -f {again} ] || /usr/sbin/sysctl -q -p {again}")
    if state["readonly"]:
        said.append(
            "Not in effect until a kernel that allows it reads the drop-in: "
            f"{', '.join(state['readonly'])} cannot be written here (/proc/sys is read-only, as "
            "in a container, whose kernel.* and fs.* values belong to the host; or this kernel "
            "lacks the key). Set them on the host's kernel."
        )
    if not commands:
        host.noop(said[0] if said else f"{path} is written and its values are in effect")
        return
    note("\n".join(said))
    yield from commands


def _both(family: str, *names: str) -> list[str]:
    return [f"net.{family}.conf.{where}.{name}" for name in names for where in ("all", "default")]


# rule id -> (operation name, the sysctl_state.sh spec from the rule's parameters); the Ansible
# tasks files hold the same specs (tests/remediate/test_fix_services_kernel_agree.py)
SPECS: dict[str, tuple[str, Callable[..., list[str]]]] = {
    "kernel_network_ip_forwarding_disabled": (
        "Turn IP forwarding off",
        lambda forwarding_allowed: [
            "net.ipv4.ip_forward=eq:0",
            "net.ipv6.conf.all.forwarding=eq:0",
        ],
    ),
    REDIRECTS: (
        "Stop accepting and sending ICMP redirects",
        lambda: [
            f"{key}=eq:0"
            for key in [
                *_both("ipv4", "accept_redirects", "secure_redirects", "send_redirects"),
                *_both("ipv6", "accept_redirects"),
            ]
        ],
    ),
    "kernel_network_source_route_disabled": (
        "Refuse source-routed packets",
        lambda: (
            [f"{key}=eq:0" for key in _both("ipv4", "accept_source_route")]
            + [f"{key}=eq:0" for key in _both("ipv6", "accept_source_route")]
        ),
    ),
    "kernel_network_rp_filter_enabled": (
        "Turn reverse-path filtering on",
        lambda allowed_values: [
            f"{key}=in:{','.join(str(value) for value in allowed_values)}"
            for key in _both("ipv4", "rp_filter")
        ],
    ),
    "kernel_network_syncookies_enabled": (
        "Turn TCP SYN cookies on",
        lambda: ["net.ipv4.tcp_syncookies=eq:1"],
    ),
    "kernel_network_martians_logged": (
        "Log packets with impossible addresses",
        lambda: [f"{key}=eq:1" for key in _both("ipv4", "log_martians")],
    ),
    "kernel_aslr_enabled": (
        "Turn full address space layout randomisation on",
        lambda: ["kernel.randomize_va_space=eq:2"],
    ),
    "kernel_pointer_and_dmesg_restricted": (
        "Hide kernel pointers and the kernel log from users",
        lambda min_kptr_restrict: [
            f"kernel.kptr_restrict=ge:{min_kptr_restrict}",
            "kernel.dmesg_restrict=eq:1",
        ],
    ),
    "kernel_ptrace_restricted": (
        "Restrict process tracing (Yama ptrace_scope)",
        lambda min_ptrace_scope: [f"kernel.yama.ptrace_scope=ge:{min_ptrace_scope}"],
    ),
    "kernel_core_dumps_restricted": (
        "Stop setuid programs from dumping core",
        lambda: ["fs.suid_dumpable=eq:0"],
    ),
    "kernel_protected_links": (
        "Turn symlink and hardlink protections on",
        lambda: ["fs.protected_symlinks=eq:1", "fs.protected_hardlinks=eq:1"],
    ),
}


def _sysctl(rule_id: str, **parameters: Any) -> None:
    name, spec = SPECS[rule_id]
    sysctl_dropin(name=name, rule_id=rule_id, spec=spec(**parameters))


@deploy("kernel_network_ip_forwarding_disabled")
def kernel_network_ip_forwarding_disabled(forwarding_allowed: bool) -> None:
    if forwarding_allowed:
        return  # the profile lets this host forward: the rule does not apply
    routing = host.get_fact(Lines, script=ROUTING_INTERFACES)
    if routing:
        refuse(
            name="Refuse to stop forwarding that containers, VMs or a VPN need",
            reason=f"this host has {', '.join(routing)}: containers, VMs or a VPN route through "
            "it, and turning forwarding off would cut them off. If it must forward, set "
            "forwarding_allowed: true in its profile; otherwise remove them and run the fix "
            "again.",
        )
        return
    _sysctl("kernel_network_ip_forwarding_disabled", forwarding_allowed=forwarding_allowed)


@deploy("kernel_network_redirects_disabled")
def kernel_network_redirects_disabled() -> None:
    _sysctl("kernel_network_redirects_disabled")


@deploy("kernel_network_source_route_disabled")
def kernel_network_source_route_disabled() -> None:
    _sysctl("kernel_network_source_route_disabled")


@deploy("kernel_network_rp_filter_enabled")
def kernel_network_rp_filter_enabled(allowed_values: list[int]) -> None:
    _sysctl("kernel_network_rp_filter_enabled", allowed_values=allowed_values)


@deploy("kernel_network_syncookies_enabled")
def kernel_network_syncookies_enabled() -> None:
    _sysctl("kernel_network_syncookies_enabled")


@deploy("kernel_network_martians_logged")
def kernel_network_martians_logged() -> None:
    _sysctl("kernel_network_martians_logged")


@deploy("kernel_aslr_enabled")
def kernel_aslr_enabled() -> None:
    _sysctl("kernel_aslr_enabled")


@deploy("kernel_pointer_and_dmesg_restricted")
def kernel_pointer_and_dmesg_restricted(min_kptr_restrict: int) -> None:
    _sysctl("kernel_pointer_and_dmesg_restricted", min_kptr_restrict=min_kptr_restrict)


@deploy("kernel_ptrace_restricted")
def kernel_ptrace_restricted(min_ptrace_scope: int) -> None:
    _sysctl("kernel_ptrace_restricted", min_ptrace_scope=min_ptrace_scope)


@deploy("kernel_core_dumps_restricted")
def kernel_core_dumps_restricted() -> None:
    _sysctl("kernel_core_dumps_restricted")


@deploy("kernel_protected_links")
def kernel_protected_links() -> None:
    _sysctl("kernel_protected_links")
