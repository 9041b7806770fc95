"""What a fact is: shell commands run on the host, and a pure parser of their outputs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True)
class CommandOutput:
    """What one command printed on the host, and how it ended."""

    stdout: str
    stderr: str = ""
    rc: int = 0

    @property
    def missing(self) -> bool:
        """The shell could not find the program (exit 127), or the snippet said so."""
        return self.rc == 127


class CollectionError(Exception):
    """Raised by a parser when its outputs show the fact could not be read on the host.

    The engine turns it into a fact error: the rules that need the fact report `error`,
    with this message (and the command's stderr) as evidence. Never return a default instead.
    """

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.stderr = stderr


def require(outputs: Mapping[str, CommandOutput], name: str) -> CommandOutput:
    """The output of command `name`, or a CollectionError when it failed."""
    out = outputs.get(name)
    if out is None:
        raise CollectionError(f"{name}: no output")
    if out.rc != 0:
        raise CollectionError(f"{name} exited with {out.rc}", out.stderr)
    return out


@dataclass(frozen=True)
class Fact:
    """A named fact: one shell snippet per command (POSIX sh, Linux), and a pure parser.

    Each snippet runs in its own subshell as part of one script per host; its stdout, stderr
    and exit code reach `parse` as a CommandOutput under the snippet's key. A snippet may
    `exit 127` to say "this tool is not installed here".
    """

    name: str
    linux: Mapping[str, str]
    parse: Callable[[Mapping[str, CommandOutput]], BaseModel]
