"""The pyinfra deploys write the same bytes as their Ansible twins: sshd_config blocks (as
blockinfile at BOF) and the nftables ruleset (the role's template), checked by running
ansible-playbook locally on scratch files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from scanner.remediate import playbooks_dir

sys.path.insert(0, str(playbooks_dir() / "pyinfra"))
from hygie_ops import render_ruleset, with_block  # noqa: E402

SSHD = ("# sshd_config\nInclude /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\n"
        "X11Forwarding yes")
BLOCKS = [("hygie a", "PermitRootLogin no"), ("hygie b", "Ciphers -*-cbc\nMACs -hmac-md5*\n"),
          ("hygie a", "PermitRootLogin prohibit-password")]


def test_sshd_blocks_and_ruleset_match_ansible(tmp_path: Path) -> None:
    sshd, rules = tmp_path / "sshd_config", tmp_path / "nftables.conf"
    sshd.write_text(SSHD)
    tasks = [{"ansible.builtin.blockinfile": {"path": str(sshd), "marker": f"# {{mark}} {m}",
                                              "insertbefore": "BOF", "block": b}}
             for m, b in BLOCKS]
    tasks.append({"ansible.builtin.template": {
        "src": str(playbooks_dir() / "ansible/roles/hygie_linux/templates/nftables.conf.j2"),
        "dest": str(rules)}})
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False, "connection": "local",
        "vars": {"hygie_linux_firewall_tcp_ports": [22, 2222],
                 "ansible_python_interpreter": sys.executable}, "tasks": tasks}]))
    done = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i",
                           "localhost,", str(playbook)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout

    expected = SSHD
    for marker, block in BLOCKS:
        expected = with_block(expected, marker, block)
    assert sshd.read_text() == expected
    assert rules.read_text() == render_ruleset([22, 2222])
