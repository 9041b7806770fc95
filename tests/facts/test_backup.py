"""backup parser against the state recorded on the Debian 12 dev machine (rsnapshot, borg and
restic runs), written traces of other tools, hostile input, and the snippet run here."""

from __future__ import annotations

import pytest

from scanner.facts.backup import FACT, BackupJob, parse, parse_state
from scanner.facts.base import CollectionError


def test_debian12_rsnapshot_borg_restic(recorded) -> None:
    facts = parse_state(recorded("backup/debian12_rsnapshot_borg_restic.txt"))
    assert facts.installed == ["borg", "restic", "rsnapshot"]
    assert facts.jobs == [
        BackupJob(path="/etc/cron.d/hygie-recording-backup", tools=["rsnapshot"]),
        BackupJob(path="/etc/systemd/system/hygie-recording-restic.service", tools=["restic"]),
    ]
    assert facts.scheduled == ["restic", "rsnapshot"]
    runs = {run.tool: (run.finished_at, run.age_days) for run in facts.last_runs}
    assert runs == {
        "borg": (1795994841, 0.0),
        "restic": (1795994845, 0.0),
        "rsnapshot": (1795994840, 0.0),
    }
    assert facts.last_runs[2].path == "/var/cache/rsnapshot/alpha.0"


def test_newest_trace_per_tool_and_age_from_host_clock() -> None:
    # written for the test: two duplicity chains, a vzdump log, a bareos client enabled
    text = (
        "now 1800000000\nuid 0\ninstalled duplicity\ninstalled vzdump\n"
        "job /etc/pve/jobs.cfg vzdump\nenabled bareos-fd\n"
        "last duplicity 1799000000 /root/.cache/duplicity/a/duplicity-full.20270115.manifest\n"
        "last duplicity 1799900000 /root/.cache/duplicity/b/duplicity-inc.20270116.manifest\n"
        "last vzdump 1790000000 /var/log/vzdump/qemu-100.log\n"
    )
    facts = parse_state(text)
    assert facts.scheduled == ["bareos-fd", "vzdump"]
    ages = {run.tool: run.age_days for run in facts.last_runs}
    assert ages == {"duplicity": 1.16, "vzdump": 115.74}


def test_not_root_is_an_error() -> None:
    with pytest.raises(CollectionError, match="needs root"):
        parse_state("now 1800000000\nuid 1000\ninstalled borg\n")


def test_hostile_input() -> None:
    with pytest.raises(CollectionError, match="time and uid"):
        parse_state("<html>\x00\xff</html>\n")
    text = (
        "now 1800000000\nuid 0\ninstalled <script>\njob relative/path borg\n"
        "job /etc/cron.d/x rm\nlast borg notanumber /x\nlast sh 1 /x\nenabled sshd\n"
    )
    facts = parse_state(text)
    assert (facts.installed, facts.jobs, facts.last_runs, facts.enabled_services) == (
        [],
        [],
        [],
        [],
    )
    with pytest.raises(CollectionError, match="more than 1 MB"):
        parse_state("installed borg\n" * 100_000)


def test_snippet_runs_on_this_machine(on_this_machine) -> None:
    outputs = on_this_machine(FACT)
    try:
        facts = parse(outputs)
    except CollectionError as exc:  # scanning user is not root
        assert "needs root" in exc.message
        return
    assert all(run.age_days >= 0 for run in facts.last_runs)
