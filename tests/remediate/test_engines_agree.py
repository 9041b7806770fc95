"""The pyinfra deploys write the same bytes as their Ansible twins: sshd_config blocks (as
blockinfile at BOF) and the nftables ruleset (the role's template), checked by running
ansible-playbook locally on scratch files."""

from __future__ import annotations

from pathlib import Path

from tests.remediate.engines import pyinfra_module, run_playbook
from tests.remediate.playbook_files import ROLE

ops = pyinfra_module("hygie_ops")

SSHD = (
    "# sshd_config\nInclude /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\nX11Forwarding yes"
)
BLOCKS = [
    ("hygie a", "PermitRootLogin no"),
    ("hygie b", "Ciphers -*-cbc\nMACs -hmac-md5*\n"),
    ("hygie a", "PermitRootLogin prohibit-password"),
]


def test_sshd_blocks_and_ruleset_match_ansible(tmp_path: Path) -> None:
    sshd, rules = tmp_path / "sshd_config", tmp_path / "nftables.conf"
    sshd.write_text(SSHD)
    tasks = [
        {
            "ansible.builtin.blockinfile": {
                "path": str(sshd),
                "marker": f"# {{mark}} {m}",
                "insertbefore": "BOF",
                "block": b,
            }
        }
        for m, b in BLOCKS
    ]
    tasks.append(
        {
            "ansible.builtin.template": {
                "src": str(ROLE / "templates" / "nftables.conf.j2"),
                "dest": str(rules),
            }
        }
    )
    run_playbook(tmp_path, tasks, {"hygie_linux_firewall_tcp_ports": [22, 2222]})

    expected = SSHD
    for marker, block in BLOCKS:
        expected = ops.with_block(expected, marker, block)
    assert sshd.read_text() == expected
    assert rules.read_text() == ops.render_ruleset([22, 2222])
