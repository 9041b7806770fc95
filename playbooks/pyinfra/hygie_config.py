"""Operations the removable media, logging and time deploys share: a config file with exact
text (owner root, a mode; checked before it replaces the old one; then a command such as a
restart), systemd units turned off or enabled, and the role's read-only probe scripts.

Each computes its change from facts, so a dry run tells what it will do, and a second run
changes nothing.
"""

from __future__ import annotations

import posixpath
import shlex

from hygie_ops import ROLE, ExactText, Lines, note, replace_file, unified
from pyinfra import host
from pyinfra.api import operation
from pyinfra.facts.files import File


def role_script(name: str, *args: str) -> list[str]:
    """The output lines of roles/hygie_linux/files/NAME (as Ansible's script task runs it)."""
    script = (ROLE / "files" / name).read_text()
    quoted = " ".join(shlex.quote(str(a)) for a in args)
    command = f"sh -s {quoted} <<'HYGIE_EOF'\n{script}\nHYGIE_EOF"
    return host.get_fact(Lines, script=command) or []  # no output: pyinfra gives None


@operation()
def config_file(path: str, content: str, mode: int = 644, check: str = "true", then: str = ""):
    """`path` holds exactly `content`, owned by root with `mode` (like Ansible's copy); a new
    text is checked (`check`, `{}` = the new file) before it replaces the old one; `then` runs
    after any change."""
    current = host.get_fact(ExactText, path=path)
    info = host.get_fact(File, path=path)
    owned = bool(info) and (info["user"], info["group"], info["mode"]) == ("root", "root", mode)
    if current == content and owned:
        host.noop(f"{path} is up to date")
        return
    quoted = shlex.quote(path)
    if current != content:
        note(unified(current or "", content, path))
        yield f"mkdir -p {shlex.quote(posixpath.dirname(path))}"
        yield from replace_file(path, content, check)
    else:
        note(f"chown root:root {path}; chmod {mode} {path}")
    yield f"chown root:root {quoted} && chmod {mode} {quoted}"
    if then:
        yield then


def _unit_state(unit: str) -> tuple[str, str]:
    enabled, active = ((host.get_fact(Lines, script=(
        f"systemctl is-enabled {shlex.quote(unit)} 2>/dev/null || echo none; "
        f"systemctl is-active {shlex.quote(unit)} 2>/dev/null || true")) or []) + ["", ""])[:2]
    return enabled, active


ENABLED = ("enabled", "enabled-runtime", "static", "alias", "indirect", "generated")


@operation()
def unit_off(unit: str):
    """Stop, disable and mask a systemd unit (nothing can start it again by accident)."""
    enabled, active = _unit_state(unit)
    steps = []
    if active in ("active", "activating", "reloading"):
        steps.append(f"systemctl stop {shlex.quote(unit)}")
    if enabled in ENABLED:
        steps.append(f"systemctl disable {shlex.quote(unit)}")
    if enabled != "masked":
        steps.append(f"systemctl mask {shlex.quote(unit)}")
    if not steps:
        host.noop(f"{unit} is stopped and masked")
        return
    note("\n".join(steps))
    yield from steps


@operation()
def unit_enabled(unit: str):
    """Unmask and enable a systemd unit without starting it."""
    enabled, _ = _unit_state(unit)
    steps = []
    if enabled == "masked":
        steps.append(f"systemctl unmask {shlex.quote(unit)}")
    if enabled not in ENABLED:
        steps.append(f"systemctl enable {shlex.quote(unit)}")
    if not steps:
        host.noop(f"{unit} is enabled")
        return
    note("\n".join(steps))
    yield from steps
