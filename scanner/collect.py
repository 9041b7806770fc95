"""One script per host: join the needed facts' commands, split the output, parse each fact."""

from __future__ import annotations

import re
import secrets
import shlex
from collections.abc import Iterable, Mapping

from scanner.facts import FACTS, FactError, Facts
from scanner.facts.base import CollectionError, CommandOutput, Fact

COMMAND_TIMEOUT_S = 30  # one command on the host; the whole script has its own timeout
MAX_STDOUT_PER_COMMAND = 8 * 1024 * 1024
MAX_STDERR_PER_COMMAND = 4096
MAX_ERROR_TEXT = 2000

_PREAMBLE = """\
LC_ALL=C; export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export PATH
umask 077
M='{marker}'
T=$(mktemp -d 2>/dev/null) || {{ echo "hygie: mktemp failed" >&2; exit 70; }}
trap 'rm -rf "$T"' EXIT
TO=
command -v timeout >/dev/null 2>&1 && TO="timeout -k 2 {timeout}"
printf '%s start\\n' "$M"
"""

# Each fact's commands run one after the other in a background group; the facts run side by
# side (wall time = the slowest fact, not the sum), then the outputs are printed in order.
_RUN = """\
S={snippet}
$TO /bin/sh -c "$S" >"$T/{n}.o" 2>"$T/{n}.e" </dev/null; echo $? >"$T/{n}.rc"
"""

_PRINT = """\
rc=125; read -r rc <"$T/{n}.rc" 2>/dev/null
printf '\\n%s out {key} %s\\n' "$M" "$rc"
head -c {max_out} "$T/{n}.o" 2>/dev/null
printf '\\n%s err {key}\\n' "$M"
head -c {max_err} "$T/{n}.e" 2>/dev/null
"""


def needed_facts(fact_names: Iterable[str]) -> list[Fact]:
    """The facts to collect, `system` always first (it picks the profile)."""
    names = {"system", *fact_names}
    return [fact for name, fact in FACTS.items() if name in names]


def build_script(facts: Iterable[Fact], marker: str | None = None) -> tuple[str, str]:
    """The POSIX sh script that collects `facts`, and the marker that frames its outputs.

    The marker is random per run so that nothing a host prints can forge a section.
    """
    marker = marker or f"HYGIE{secrets.token_hex(12)}"
    runs, prints = [], []
    for fact in facts:
        group = []
        for command, snippet in fact.linux.items():
            n = len(prints)
            group.append(_RUN.format(snippet=shlex.quote(snippet.strip("\n")), n=n))
            prints.append(
                _PRINT.format(
                    key=f"{fact.name}/{command}",
                    n=n,
                    max_out=MAX_STDOUT_PER_COMMAND,
                    max_err=MAX_STDERR_PER_COMMAND,
                )
            )
        runs.append("{\n" + "".join(group) + "} &\n")
    parts = [_PREAMBLE.format(marker=marker, timeout=COMMAND_TIMEOUT_S), *runs, "wait\n", *prints]
    parts.append("printf '\\n%s end\\n' \"$M\"\n")
    return "".join(parts), marker


def split_output(stdout: str, marker: str) -> dict[str, CommandOutput]:
    """Outputs by `fact/command` key; a command cut short (no `err` section) is left out."""
    pattern = re.compile(rf"\n?{re.escape(marker)} (start|end|out|err)(?: (\S+))?(?: (-?\d+))?\n")
    matches = list(pattern.finditer(stdout))
    pending: dict[str, tuple[str, int]] = {}
    outputs: dict[str, CommandOutput] = {}
    for index, match in enumerate(matches):
        kind, key, rc = match.group(1), match.group(2), match.group(3)
        end = matches[index + 1].start() if index + 1 < len(matches) else None
        if end is None and kind == "err":
            continue  # the stream stopped inside this command's stderr: incomplete
        body = stdout[match.end() : end]
        if kind == "out" and key:
            pending[key] = (body, int(rc or 0))
        elif kind == "err" and key in pending:
            out, code = pending.pop(key)
            outputs[key] = CommandOutput(stdout=out, stderr=body, rc=code)
    return outputs


def parse_facts(facts: Iterable[Fact], outputs: Mapping[str, CommandOutput]) -> Facts:
    """Parse each fact from its commands' outputs; a failure becomes that fact's error."""
    parsed: dict[str, object] = {}
    errors: dict[str, FactError] = {}
    for fact in facts:
        mine = {
            cmd: outputs[f"{fact.name}/{cmd}"]
            for cmd in fact.linux
            if f"{fact.name}/{cmd}" in outputs
        }
        missing = [cmd for cmd in fact.linux if cmd not in mine]
        if missing:
            errors[fact.name] = FactError(
                message=f"no output from {', '.join(missing)}: collection cut short"
            )
            continue
        timed_out = [cmd for cmd, out in mine.items() if out.rc == 124]
        if timed_out:
            errors[fact.name] = FactError(message=f"{', '.join(timed_out)} timed out on the host")
            continue
        try:
            parsed[fact.name] = fact.parse(mine)
        except CollectionError as exc:
            errors[fact.name] = FactError(message=_clip(exc.message), stderr=_clip(exc.stderr))
        except Exception as exc:  # hostile or unexpected output must not stop the scan
            errors[fact.name] = FactError(
                message=_clip(f"unreadable output: {type(exc).__name__}: {exc}")
            )
    return Facts(**parsed, errors=errors)


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_ERROR_TEXT else text[:MAX_ERROR_TEXT] + "…(truncated)"
