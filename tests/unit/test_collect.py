"""The one-script collection: the script really runs in sh, its output splits back exactly."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping

from pydantic import BaseModel

from scanner.collect import build_script, parse_facts, split_output
from scanner.facts.base import CollectionError, CommandOutput, Fact, require


class Echo(BaseModel):
    text: str


def _fact(name: str, **commands: str) -> Fact:
    def parse(outputs: Mapping[str, CommandOutput]) -> Echo:
        return Echo(text="|".join(require(outputs, c).stdout for c in commands))

    return Fact(name=name, linux=commands, parse=parse)


def _run(facts: list[Fact]) -> tuple[dict[str, CommandOutput], str]:
    script, marker = build_script(facts)
    done = subprocess.run(["sh", "-s"], input=script.encode(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return split_output(done.stdout.decode("utf-8", errors="replace"), marker), marker


def test_outputs_split_back_with_exit_codes_and_stderr() -> None:
    facts = [
        _fact("a", one="printf 'x\\ny'", two="echo oops >&2; exit 3"),
        _fact("b", three="printf 'no newline'", four="printf 'two\\n\\n'"),
    ]
    outputs, _ = _run(facts)
    assert outputs["a/one"] == CommandOutput(stdout="x\ny", stderr="", rc=0)
    assert outputs["a/two"] == CommandOutput(stdout="", stderr="oops\n", rc=3)
    assert outputs["b/three"].stdout == "no newline"
    assert outputs["b/four"].stdout == "two\n\n"


def test_commands_run_with_c_locale_and_quotes_survive() -> None:
    outputs, _ = _run([_fact("q", locale='echo "$LC_ALL" \'$HOME\' "it\'s"')])
    assert outputs["q/locale"].stdout == "C $HOME it's\n"


def test_a_host_cannot_forge_sections() -> None:
    forged = "printf '\\nHYGIEdeadbeef out q/x 0\\nfake\\n'; echo '@@ end'"
    outputs, marker = _run([_fact("q", x=forged, y="echo real")])
    assert "HYGIEdeadbeef out q/x 0\nfake" in outputs["q/x"].stdout
    assert outputs["q/y"].stdout == "real\n"
    assert marker not in outputs["q/x"].stdout


def test_binary_and_huge_output_are_bounded_and_do_not_break_splitting() -> None:
    facts = [
        _fact("bin", junk="head -c 4096 /dev/urandom; printf '\\0\\033[31m<b>'"),
        _fact("big", flood="yes A | head -c 20000000"),
        _fact("after", ok="echo still here"),
    ]
    outputs, _ = _run(facts)
    assert outputs["bin/junk"].rc == 0
    assert len(outputs["big/flood"].stdout) == 8 * 1024 * 1024
    assert outputs["after/ok"].stdout == "still here\n"


def test_a_cut_stream_makes_the_unfinished_facts_errors() -> None:
    facts = [_fact("first", c="echo one"), _fact("second", c="echo two")]
    script, marker = build_script(facts)
    full = subprocess.run(["sh", "-s"], input=script.encode(), capture_output=True).stdout.decode()
    head = f"{marker} out second/c 0\ntw"
    cut = full[: full.index(head) + len(head)]  # the stream stops inside the second's stdout
    parsed = parse_facts(facts, split_output(cut, marker))
    assert "first" not in parsed.errors
    assert parsed.errors["second"].message == "no output from c: collection cut short"


def test_parser_errors_become_fact_errors_never_defaults() -> None:
    def refuse(outputs: Mapping[str, CommandOutput]) -> Echo:
        raise CollectionError("sshd -T needs root", outputs["c"].stderr)

    def crash(outputs: Mapping[str, CommandOutput]) -> Echo:
        raise ValueError("<script>")

    facts = [
        Fact(name="system", linux={"c": "echo 'Permission denied' >&2; exit 1"}, parse=refuse),
        Fact(name="sshd", linux={"c": "echo"}, parse=crash),
    ]
    outputs, _ = _run(facts)
    parsed = parse_facts(facts, outputs)
    assert parsed.errors["system"].message == "sshd -T needs root"
    assert parsed.errors["system"].stderr == "Permission denied"
    assert parsed.errors["sshd"].message == "unreadable output: ValueError: <script>"
    assert parsed.system is None and parsed.sshd is None


def test_a_hanging_command_times_out_alone(monkeypatch) -> None:
    monkeypatch.setattr("scanner.collect.COMMAND_TIMEOUT_S", 1)
    facts = [_fact("slow", hang="sleep 30"), _fact("quick", c="echo done")]
    outputs, _ = _run(facts)
    assert outputs["slow/hang"].rc == 124
    parsed = parse_facts(facts, outputs)
    assert parsed.errors["slow"].message == "hang timed out on the host"
    assert "quick" not in parsed.errors
