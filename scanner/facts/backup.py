"""Backup facts: backup tools installed and scheduled, and the age of their last run's local trace.

Example: {"installed": ["rsnapshot"], "jobs": [{"path": "/etc/cron.d/rsnapshot",
"tools": ["rsnapshot"]}], "enabled_services": [], "last_runs": [{"tool": "rsnapshot",
"path": "/var/cache/rsnapshot/alpha.0", "finished_at": 1764400000, "age_days": 0.5}]}
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel, Field

from scanner.facts.base import CollectionError, CommandOutput, Fact, require

TOOLS = [
    "borgmatic", "borg", "restic", "rsnapshot", "duplicity", "deja-dup", "timeshift",
    "bacula-fd", "bareos-fd", "vzdump",
]  # fmt: skip
# Where a finished run leaves a trace on the client (mtime = end of the run):
#   rsnapshot: <snapshot_root>/<level>.0 (touched at the end of a successful sync)
#   borg/borgmatic: ~root/.config/borg/security/<repo>/manifest-timestamp (each write to a repo)
#   restic: ~root/.cache/restic/<repo>/snapshots/<id> (the cache keeps each snapshot it wrote)
#   duplicity: ~root/.cache/duplicity/<name>/*.manifest; vzdump: /var/log/vzdump/*.log
# bacula-fd/bareos-fd (history on the director), timeshift and deja-dup leave none we can read.
TRACE_TOOLS = {"rsnapshot", "borg", "borgmatic", "restic", "duplicity", "vzdump"}
MAX_OUTPUT = 1_000_000
_PATH = re.compile(r"^/[^\x00-\x1f]{0,500}$")
_SECONDS_PER_DAY = 86400


class BackupJob(BaseModel):
    path: str  # crontab, cron script, enabled timer's service, or /etc/pve/jobs.cfg
    tools: list[str]


class BackupRun(BaseModel):
    tool: str
    path: str
    finished_at: int  # epoch seconds (mtime of the trace)
    age_days: float  # at collection time, from the host's own clock


class BackupFacts(BaseModel):
    installed: list[str] = Field(default_factory=list)  # TOOLS found on PATH
    jobs: list[BackupJob] = Field(default_factory=list)  # schedules that call a tool
    enabled_services: list[str] = Field(default_factory=list)  # bacula-fd/bareos-fd enabled
    last_runs: list[BackupRun] = Field(default_factory=list)  # newest trace per tool

    @property
    def scheduled(self) -> list[str]:
        """Tools something runs on its own: a job, or a file daemon the director drives."""
        return sorted(
            {tool for job in self.jobs for tool in job.tools} | set(self.enabled_services)
        )


def parse_state(text: str) -> BackupFacts:
    """Lines `now E`, `uid N`, `installed T`, `job PATH T…`, `enabled T`, `last T EPOCH PATH`."""
    if len(text) > MAX_OUTPUT:
        raise CollectionError("the backup state printed more than 1 MB")
    now = uid = None
    facts = BackupFacts()
    newest: dict[str, BackupRun] = {}
    jobs: dict[str, set[str]] = {}
    for line in text.splitlines():
        kind, _, rest = line.partition(" ")
        words = rest.split(" ")
        if kind in ("now", "uid") and rest.isdigit():
            now, uid = (int(rest), uid) if kind == "now" else (now, int(rest))
        elif kind == "installed" and rest in TOOLS:
            facts.installed.append(rest)
        elif kind == "enabled" and rest in ("bacula-fd", "bareos-fd"):
            facts.enabled_services.append(rest)
        elif kind == "job" and len(words) == 2 and words[1] in TOOLS and _PATH.match(words[0]):
            jobs.setdefault(words[0], set()).add(words[1])
        elif kind == "last" and len(words) >= 3 and words[0] in TRACE_TOOLS and words[1].isdigit():
            path = " ".join(words[2:])
            if _PATH.match(path) and now is not None:
                run = BackupRun(
                    tool=words[0], path=path, finished_at=int(words[1]),
                    age_days=round(max(0, now - int(words[1])) / _SECONDS_PER_DAY, 2),
                )  # fmt: skip
                if words[0] not in newest or run.finished_at > newest[words[0]].finished_at:
                    newest[words[0]] = run
    if now is None or uid is None:
        raise CollectionError("the backup state did not report the host's time and uid")
    if uid != 0:
        raise CollectionError("reading the crontabs and root's backup caches needs root")
    facts.installed = sorted(set(facts.installed))
    facts.enabled_services = sorted(set(facts.enabled_services))
    facts.jobs = [BackupJob(path=path, tools=sorted(tools)) for path, tools in sorted(jobs.items())]
    facts.last_runs = sorted(newest.values(), key=lambda run: run.tool)
    return facts


def parse(outputs: Mapping[str, CommandOutput]) -> BackupFacts:
    return parse_state(require(outputs, "state").stdout)


_WORDS = "|".join(TOOLS)
_STATE = rf"""echo "now $(date +%s)"; echo "uid $(id -u)"
for t in {" ".join(TOOLS)}; do command -v "$t" >/dev/null 2>&1 && echo "installed $t"; done
# one awk over every cron file (not a pipeline per file): "job FILE TOOL" per tool word
# on a non-comment line; only tool names leave the host, never the lines (they may hold secrets)
for f in /etc/crontab /etc/cron.d/* /etc/cron.hourly/* /etc/cron.daily/* /etc/cron.weekly/* \
  /etc/cron.monthly/* /var/spool/cron/crontabs/* /var/spool/cron/*; do
  [ -f "$f" ] && printf '%s\n' "$f"
done | head -n 2000 | xargs -r awk -v tools="{" ".join(TOOLS)}" '
  BEGIN {{ n = split(tools, list, " "); for (i = 1; i <= n; i++) known[list[i]] = 1 }}
  !/^[[:space:]]*#/ {{ n = split($0, w, /[^A-Za-z0-9_-]+/)
    for (i = 1; i <= n; i++) if (w[i] in known) print "job " FILENAME " " w[i] }}' 2>/dev/null \
  | sort -u | head -n 200
for w in /etc/systemd/system/timers.target.wants/*.timer; do
  [ -e "$w" ] || continue; s=$(basename "$w" .timer).service
  for d in /etc/systemd/system /usr/lib/systemd/system /lib/systemd/system; do
    [ -f "$d/$s" ] || continue
    for t in $(grep -E '^[[:space:]]*Exec' "$d/$s" | grep -owE '({_WORDS})' | sort -u); do
      echo "job $d/$s $t"; done; break
  done
done
grep -qs '^vzdump:' /etc/pve/jobs.cfg && echo "job /etc/pve/jobs.cfg vzdump"
for u in bacula-fd bareos-fd; do
  [ -e /etc/systemd/system/multi-user.target.wants/$u.service ] && echo "enabled $u"
done
r=$(awk -F'\t' '$1=="snapshot_root" {{print $2; exit}}' /etc/rsnapshot.conf 2>/dev/null)
[ -n "$r" ] && for d in "${{r%/}}"/*.0; do [ -d "$d" ] && stat -c "last rsnapshot %Y %n" "$d"; done
for f in /root/.config/borg/security/*/manifest-timestamp; do
  [ -f "$f" ] && stat -c "last borg %Y %n" "$f"; done
for d in /root/.cache/restic/*/snapshots; do
  find "$d" -maxdepth 2 -type f -printf 'last restic %Ts %p\n' 2>/dev/null | sort -k3,3n | tail -n 1
done
for d in /root/.cache/duplicity/*; do
  f=$(ls -t "$d" 2>/dev/null | grep '\.manifest$' | head -n 1)
  [ -n "$f" ] && stat -c "last duplicity %Y %n" "$d/$f"; done
f=$(ls -t /var/log/vzdump 2>/dev/null | grep '\.log$' | head -n 1)
[ -n "$f" ] && stat -c "last vzdump %Y %n" "/var/log/vzdump/$f"
exit 0"""

FACT = Fact(name="backup", linux={"state": _STATE}, parse=parse)
