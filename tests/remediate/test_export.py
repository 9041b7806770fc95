"""`hygie fix --export`: a self-contained playbook (role copied beside it) or pyinfra deploy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from scanner.remediate.export import export
from scanner.remediate.record import FixPlan, HostPlan, NotAttempted, PlannedRule

PLAN = dict(hosts=[HostPlan(host="web1", rules=[
    PlannedRule(rule_id="ssh_max_auth_tries_limited", parameters={"max_auth_tries": 3}),
    PlannedRule(rule_id="firewall_inbound_default_deny")])],
    not_attempted=[NotAttempted(host="web1", rule_id="disk_encryption_swap", reason="manual")])


def test_ansible_export_is_a_runnable_playbook(tmp_path: Path) -> None:
    file = tmp_path / "out" / "fix.yml"
    written = export(FixPlan(engine="ansible", **PLAN), file)
    assert written == [file, tmp_path / "out" / "roles" / "hygie_linux"]
    play = yaml.safe_load(file.read_text())[0]
    assert play["hosts"] == "web1"
    assert play["vars"]["hygie_linux_ssh_max_auth_tries_limited_max_auth_tries"] == 3
    assert play["vars"]["hygie_linux_rules"] == ["ssh_max_auth_tries_limited",
                                                 "firewall_inbound_default_deny"]
    assert "disk_encryption_swap" in file.read_text()  # the manual rules are listed
    (tmp_path / "hosts.ini").write_text("web1 ansible_connection=local\n")
    done = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i",
                           str(tmp_path / "hosts.ini"), "--syntax-check", str(file)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_pyinfra_export_is_a_deploy_with_its_deploys_beside_it(tmp_path: Path) -> None:
    file = tmp_path / "fix.py"
    export(FixPlan(engine="pyinfra", **PLAN), file)
    text = file.read_text()
    compile(text, str(file), "exec")
    assert text.index("firewall_inbound_default_deny") < text.index("ssh_max_auth_tries")
    assert (tmp_path / "hygie" / "pyinfra" / "ssh.py").exists()
    assert (tmp_path / "hygie" / "ansible" / "roles" / "hygie_linux" / "templates"
            / "nftables.conf.j2").exists()
