"""Facts and operations the Hygie deploys share: exact file text, the connecting session, an
sshd_config block (like Ansible's blockinfile at BOF, validated with sshd -t), the nftables
ruleset (same template as the Ansible role, checked with nft -c), apt index and upgrade.

Every operation computes its change from facts, so a dry run predicts exactly what it will do;
PREVIEW collects the diff text of each (host, operation) for `hygie fix`.
"""

from __future__ import annotations

import base64
import difflib
import re
import shlex
from io import StringIO
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pyinfra import host
from pyinfra.api import FactBase, FileUploadCommand, StringCommand, operation

ROLE = Path(__file__).resolve().parents[1] / "ansible" / "roles" / "hygie_linux"
SSHD_CONFIG = "/etc/ssh/sshd_config"
SSHD = "/usr/sbin/sshd"
PREVIEW: dict[tuple[str, str], str] = {}  # (host name, op hash) -> diff text
REFUSALS: dict[tuple[str, str], str] = {}  # (host name, op hash) -> why the fix was refused
APT_ENV = "DEBIAN_FRONTEND=noninteractive"
APT_OPTIONS = "-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"


def note(text: str, refusal: bool = False) -> None:
    """Record what the current operation does (its diff), or why it refuses to."""
    key = (host.name, str(host.current_op_hash))
    (REFUSALS if refusal else PREVIEW)[key] = text


class ExactText(FactBase[str | None]):
    """A file's exact text (None when it does not exist)."""

    def command(self, path: str) -> str:
        quoted = shlex.quote(path)
        return f"if [ -e {quoted} ]; then base64 -w0 {quoted}; echo; else echo MISSING; fi"

    def process(self, output: list[str]) -> str | None:
        joined = "".join(output).strip()
        return None if joined == "MISSING" else base64.b64decode(joined).decode()


class Lines(FactBase[list[str]]):
    """The output lines of a read-only shell snippet (empty lines dropped)."""

    def command(self, script: str) -> str:
        return script

    def process(self, output: list[str]) -> list[str]:
        return [line for line in output if line.strip()]


class Session(FactBase[dict[str, str]]):
    """The user this connection logged in as and its SSH_CONNECTION (run without sudo)."""

    def command(self) -> str:
        return 'id -un; printf "%s\\n" "${SSH_CONNECTION:-none}"'

    def process(self, output: list[str]) -> dict[str, str]:
        user, connection = (output + ["", "none"])[:2]
        fields = connection.split() if connection != "none" else []
        return {"user": user.strip(), "client": " ".join(fields[:2]),
                "server_port": fields[3] if len(fields) > 3 else ""}


def session() -> dict[str, str]:
    return host.get_fact(Session, _sudo=False)


def with_block(text: str, marker: str, block: str) -> str:
    """`text` with `block` between `# BEGIN marker` / `# END marker` lines: replaced in place
    when the markers exist, else inserted at the top (Ansible blockinfile, insertbefore BOF)."""
    begin, end = f"# BEGIN {marker}\n", f"# END {marker}\n"
    lines = text.splitlines(keepends=True)
    if not block.endswith("\n"):
        block += "\n"
    new = [begin, *block.splitlines(keepends=True), end]
    start = stop = None
    for index, line in enumerate(lines):
        start = index if line == begin else start
        stop = index if line == end else stop
    if start is None or stop is None:
        position = 0
    else:
        position = min(start, stop)
        del lines[position : max(start, stop) + 1]
    if position > 0 and not lines[position - 1].endswith("\n"):
        lines[position - 1] += "\n"
    lines[position:position] = new
    return "".join(lines)


def unified(before: str, after: str, path: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True),
                                        f"{path} (before)", f"{path} (after)"))


def replace_file(path: str, content: str, check: str) -> list:
    """Upload beside `path`, run `check` on the copy (`{}` = its path), then rename it over
    (owner and mode of the old file kept); the old file stays when the check fails."""
    temporary, target = shlex.quote(f"{path}.hygie-new"), shlex.quote(path)
    script = (f"{check.format(temporary)} && "
              f"{{ [ ! -e {target} ] || {{ chown --reference={target} {temporary} && "
              f"chmod --reference={target} {temporary}; }}; }} && mv -f {temporary} {target}")
    return [
        FileUploadCommand(StringIO(content), f"{path}.hygie-new"),
        StringCommand(f"sh -c {shlex.quote(script)} || {{ rm -f {temporary}; exit 1; }}"),
    ]


@operation()
def sshd_block(marker: str, block: str):
    """Ensure the marked block at the top of sshd_config; validate, install, reload sshd."""
    current = host.get_fact(ExactText, path=SSHD_CONFIG) or ""
    wanted = with_block(current, marker, block)
    if wanted == current:
        host.noop(f"sshd_config already has the {marker} block")
        return
    note(unified(current, wanted, SSHD_CONFIG))
    yield from replace_file(SSHD_CONFIG, wanted, f"{SSHD} -t -f {{}}")
    yield f"{SSHD} -t && systemctl reload ssh"


@operation()
def refuse(reason: str):
    """Change nothing and say why (the guard's verdict is shown by `hygie fix`)."""
    note(f"Refused: {reason}", refusal=True)
    host.noop(f"refused: {reason}")
    yield from ()


def render_ruleset(ports: list[int]) -> str:
    """The Ansible role's nftables template, rendered the way Ansible renders it."""
    environment = Environment(loader=FileSystemLoader(ROLE / "templates"), trim_blocks=True,
                              keep_trailing_newline=True, undefined=StrictUndefined)
    template = environment.get_template("nftables.conf.j2")
    return template.render(hygie_linux_firewall_tcp_ports=ports)


@operation()
def nft_ruleset(ports: list[int]):
    """Write /etc/nftables.conf (checked with nft -c first) and load it in one transaction."""
    path = "/etc/nftables.conf"
    current = host.get_fact(ExactText, path=path) or ""
    wanted = render_ruleset(ports)
    loaded = host.get_fact(Lines, script="nft list chain inet hygie input >/dev/null 2>&1 "
                                         "&& echo loaded || echo absent")
    if wanted == current and loaded == ["loaded"]:
        host.noop("the nftables ruleset is written and loaded")
        return
    if wanted != current:
        note(unified(current, wanted, path))
        yield from replace_file(path, wanted, "/usr/sbin/nft -c -f {}")
        yield f"chown root:root {path} && chmod 0755 {path}"
    else:
        note("load /etc/nftables.conf (nftables.service reload)")
    # nftables.service runs `nft -f /etc/nftables.conf`: one transaction
    yield ("systemctl is-active --quiet nftables && systemctl reload nftables "
           "|| systemctl start nftables")


@operation()
def apt_index(max_age_days: int):
    """apt-get update when the newest index file is older than the limit (as the scan reads it)."""
    fresh = host.get_fact(Lines, script=(
        "find /var/lib/apt/lists /var/lib/apt/periodic -maxdepth 1 \\( -name '*Release' -o "
        f"-name update-success-stamp \\) -mtime -{int(max_age_days) + 1} -print -quit "
        "2>/dev/null; true"))
    if fresh:
        host.noop("the package index is fresh")
        return
    note("apt-get update, then touch /var/lib/apt/periodic/update-success-stamp")
    # as apt's daily job does after a successful update: apt keeps the mirror's dates on
    # index files that did not change, so they alone can stay old
    yield ("apt-get -q update && mkdir -p /var/lib/apt/periodic && "
           "touch /var/lib/apt/periodic/update-success-stamp && "
           "chmod 0644 /var/lib/apt/periodic/update-success-stamp")


@operation()
def apt_upgrade():
    """apt-get upgrade --with-new-pkgs (local config kept) when apt would install anything."""
    planned = host.get_fact(Lines, script=(
        "apt-get -s -o Debug::NoLocking=1 upgrade --with-new-pkgs 2>/dev/null | "
        "grep -E '^(Inst|Remv) ' || true"))
    if not planned:
        host.noop("no pending update")
        return
    note("\n".join(planned))
    yield f"{APT_ENV} apt-get -y -q {APT_OPTIONS} upgrade --with-new-pkgs"


def keep_open_ports(allowed: list[int]) -> list[int]:
    """The ports sshd listens on (sshd -T, ss), this session's port, and the allowed ones."""
    listed = host.get_fact(Lines, script=(
        f"{SSHD} -T 2>/dev/null | awk '$1 == \"port\" {{ print $2 }} $1 == \"listenaddress\" "
        "{ n = split($2, a, \":\"); print a[n] }'; "
        "ss -Htlnp 2>/dev/null | awk '/\"sshd\"/ { n = split($4, a, \":\"); print a[n] }'; true"))
    sshd_ports = [int(p) for p in listed if re.fullmatch(r"[0-9]+", p.strip())]
    if not sshd_ports:
        raise ValueError("could not read the ports sshd listens on: no firewall change")
    extra = [session()["server_port"], *allowed]
    return sorted({*sshd_ports, *(int(p) for p in extra if str(p).isdigit())})


@operation()
def unit_on(unit: str):
    """Unmask, enable and start a systemd unit (like systemd_service masked: false, enabled,
    started)."""
    enabled, active = (host.get_fact(Lines, script=(
        f"systemctl is-enabled {shlex.quote(unit)} 2>/dev/null || true; "
        f"systemctl is-active {shlex.quote(unit)} 2>/dev/null || true")) + ["", ""])[:2]
    steps = []
    if enabled == "masked":
        steps.append(f"systemctl unmask {shlex.quote(unit)}")
    if enabled not in ("enabled", "static", "alias", "indirect", "enabled-runtime"):
        steps.append(f"systemctl enable {shlex.quote(unit)}")
    if active != "active":
        steps.append(f"systemctl start {shlex.quote(unit)}")
    if not steps:
        host.noop(f"{unit} is enabled and active")
        return
    note("\n".join(steps))
    yield from steps
