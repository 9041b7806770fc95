"""pyinfra deploys of the session lock rules, twins of roles/hygie_linux/tasks/session_lock_*.yml:
TMOUT set, readonly and exported in /etc/profile.d/tmout.sh (refused while another startup file
sets a longer one)."""

from __future__ import annotations

from hygie_accounts_ops import exact_file, probe, tmout_script
from hygie_ops import refuse
from pyinfra.api import deploy

TMOUT_FILE = "/etc/profile.d/tmout.sh"


@deploy("session_lock_shell_timeout")
def session_lock_shell_timeout(max_idle_s: int) -> None:
    _, refusals = probe("tmout", str(int(max_idle_s)), TMOUT_FILE)
    if refusals:
        refuse(
            name="Refuse to set TMOUT while another file sets a longer one",
            reason="; ".join(refusals),
        )
        return
    exact_file(
        name="Close idle login shells",
        path=TMOUT_FILE,
        content=tmout_script(max_idle_s),
        mode="0644",
    )
