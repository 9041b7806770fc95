"""Facts, file texts and operations the session lock, passwords and accounts deploys share: the
role's probe script (files/hygie_accounts_probe.sh, so both engines act on the same list), the
texts the Ansible tasks write, lineinfile as Ansible does it, and pam-auth-update profiles.
"""

from __future__ import annotations

import re
import shlex

from hygie_ops import ROLE, ExactText, Lines, note, replace_file, session, unified
from pyinfra import host
from pyinfra.api import operation

PROBE = ROLE / "files" / "hygie_accounts_probe.sh"
NOLOGIN = "/usr/sbin/nologin"
# an enforcing pam_pwquality line of common-password (grep -E), as hygie_linux_pwquality_line
PWQUALITY_LINE = (
    r"^[[:space:]]*password[[:space:]]+(requisite|required|\[[^]]*\])[[:space:]]+pam_pwquality\.so"
)
# role default hygie_linux_faillock_probe
FAILLOCK_PROBE = (
    "grep -qE '^auth[[:space:]]+requisite[[:space:]]+pam_faillock\\.so[[:space:]]+preauth' "
    "/etc/pam.d/common-auth && "
    "grep -qE '^auth[[:space:]]+\\S+[[:space:]]+pam_faillock\\.so[[:space:]]+authfail' "
    "/etc/pam.d/common-auth && "
    "grep -qE '^account[[:space:]]+required[[:space:]]+pam_faillock\\.so' /etc/pam.d/common-account"
)
FAILLOCK_PROFILES = {
    "/usr/share/pam-configs/hygie-faillock-preauth": (
        "Name: Refuse logins to accounts locked by failures, reset on success (Hygie)\n"
        "Default: no\nPriority: 1024\nAuth-Type: Primary\nAuth:\n"
        "\trequisite\tpam_faillock.so preauth\n"
        "Account-Type: Primary\nAccount:\n\trequired\tpam_faillock.so\n"
    ),
    "/usr/share/pam-configs/hygie-faillock": (
        "Name: Count failed logins and lock the account after too many (Hygie)\n"
        "Default: no\nPriority: 0\nAuth-Type: Primary\nAuth:\n"
        "\t[default=die]\tpam_faillock.so authfail\n"
    ),
}


def tmout_script(max_idle_s: int) -> str:
    return (
        f"# Hygie session_lock_shell_timeout: idle shells close after {int(max_idle_s)} s.\n"
        f"TMOUT={int(max_idle_s)}\nreadonly TMOUT\nexport TMOUT\n"
    )


def pwquality_conf(rule_id: str, key: str, value: int) -> str:
    return f"# Hygie {rule_id}\n{key} = {int(value)}\n"


def sudo_logging(require_logfile: bool) -> str:
    text = (
        "# Hygie accounts_sudo_logged: read last, so these Defaults win.\n"
        "Defaults use_pty\nDefaults syslog=authpriv\n"
    )
    return text + ("Defaults logfile=/var/log/sudo.log\n" if require_logfile else "")


def with_line(text: str, regexp: str, line: str) -> str:
    """`text` as Ansible's lineinfile (state present, no insertafter) leaves it: the last line
    matching `regexp` replaced by `line`, else `line` appended at the end."""
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    index = -1
    for number, current in enumerate(lines):
        if re.search(regexp, current):
            index = number
    if index == -1:
        for number, current in enumerate(lines):
            if current.rstrip("\r\n") == line:
                index = number
    if index != -1:
        lines[index] = line + "\n"
    else:
        if lines and lines[-1][-1:] not in ("\n", "\r"):
            lines.append("\n")
        lines.append(line + "\n")
    return "".join(lines)


def probe(*words: str) -> tuple[list[list[str]], list[str]]:
    """(changes, refusals) printed by the role's probe script; `words` are shell words (already
    quoted where needed, globs left to the shell)."""
    script = PROBE.read_text()
    lines = (
        host.get_fact(Lines, script=f"sh -s {' '.join(words)} <<'HYGIE_EOF'\n{script}\nHYGIE_EOF")
        or []
    )  # pyinfra gives None for a command that printed nothing
    changes = [line.split("\t")[1:] for line in lines if line.startswith("change\t")]
    refusals = [line.split("\t", 1)[1] for line in lines if line.startswith("refuse\t")]
    return changes, refusals


def sudo_works() -> bool:
    """The connecting user (not the become user) runs `sudo -n true`."""
    answer = host.get_fact(
        Lines, script="sudo -n true >/dev/null 2>&1 && echo yes || echo no", _sudo=False
    )
    return answer == ["yes"]


def user() -> str:
    return shlex.quote(session()["user"])


def _mode_owner(path: str) -> str:
    return " ".join(
        host.get_fact(Lines, script=f"stat -c '%a %U %G' {shlex.quote(path)} 2>/dev/null || true")
        or []
    )


@operation()
def exact_file(path: str, content: str, mode: str, check: str = "test -f {}"):
    """Like Ansible's copy with content (root-owned, `mode`), the new text checked by `check`
    (`{}` = the uploaded copy) before it replaces the file."""
    current = host.get_fact(ExactText, path=path)
    wanted_mode = f"{int(mode, 8):o} root root"
    steps = []
    if current != content:
        note(unified(current or "", content, path))
        parent = shlex.quote(path.rsplit("/", 1)[0])
        steps += [f"mkdir -p {parent}", *replace_file(path, content, check)]
    if current != content or _mode_owner(path) != wanted_mode:
        steps.append(f"chown root:root {shlex.quote(path)} && chmod {mode} {shlex.quote(path)}")
    if not steps:
        host.noop(f"{path} is up to date")
        return
    if current == content:
        note(f"chown root:root {path}; chmod {mode} {path}")
    yield from steps


@operation()
def line_in_file(path: str, regexp: str, line: str, mode: str = "0644"):
    """Ansible's lineinfile (state present, create): the file uploaded whole, owner and mode kept
    (`mode` for a new file)."""
    current = host.get_fact(ExactText, path=path)
    wanted = with_line(current or "", regexp, line)
    if wanted == current:
        host.noop(f"{path} already has {line!r}")
        return
    note(unified(current or "", wanted, path))
    yield from replace_file(path, wanted, "test -f {}")
    if current is None:
        yield f"chown root:root {shlex.quote(path)} && chmod {mode} {shlex.quote(path)}"


@operation()
def probed_commands(words: list[str], commands: dict[str, str], describe: str):
    """Run the probe script; for each `change` line run commands[first word] formatted with the
    quoted fields ({0}, {1}, …; "*" matches any first word), and note each `refuse` line."""
    changes, refusals = probe(*words)
    if refusals:
        note("Refused: " + "; ".join(refusals), refusal=True)
    steps = []
    for fields in changes:
        template = commands.get(fields[0], commands.get("*"))
        if template is None:
            raise ValueError(f"unexpected probe line: {fields}")
        steps.append(template.format(*(shlex.quote(f) for f in fields)))
    if not steps:
        host.noop(f"nothing to change: {describe}")
        return
    if not refusals:
        note("\n".join(steps))
    yield from steps


@operation()
def pam_profiles(profiles: list[str], present: str, verify_sudo: bool, roll_back: bool):
    """pam-auth-update --enable PROFILES when the `present` check fails; the check runs again
    after, and (if `verify_sudo`) the connecting user's `sudo -n true`: the operation fails when
    either does (with `roll_back`, after disabling the profiles again)."""
    state = host.get_fact(Lines, script=f"{present} && echo present || echo absent")
    if state == ["present"]:
        host.noop("the PAM stacks already have these modules")
        return
    names = " ".join(shlex.quote(p) for p in profiles)
    note(f"pam-auth-update --enable {' '.join(profiles)}")
    after = present
    if verify_sudo:
        after += f" && runuser -u {user()} -- sudo -n true"
    undo = f"pam-auth-update --disable {names}; " if roll_back else ""
    yield (
        f"export DEBIAN_FRONTEND=noninteractive; pam-auth-update --enable {names} && "
        f"{{ {after} || {{ {undo}echo 'pam-auth-update did not add the module (local changes?)"
        f"{' or sudo broke: disabled again' if roll_back else ''}' >&2; exit 1; }}; }}"
    )
