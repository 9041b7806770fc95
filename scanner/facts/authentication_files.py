"""Shared by the account and authentication facts: dump whole config files in one snippet.

Output: "==> /etc/login.defs <==" then the file's text, for each readable file in order.
"""

from __future__ import annotations

from scanner.facts.base import CollectionError, CommandOutput

MAX_FILE_BYTES = 262_144
MAX_OUTPUT = 4_000_000
_HEADER_START, _HEADER_END = "==> ", " <=="


def dump_files_snippet(paths: str) -> str:
    """POSIX sh printing each existing regular file among `paths` (globs allowed) with a header.

    A file that exists but cannot be read stops the snippet with rc 3 (stderr says why).
    """
    return (
        f"for f in {paths}; do\n"
        '  [ -f "$f" ] || continue\n'
        "  printf '==> %s <==\\n' \"$f\"\n"
        f'  head -c {MAX_FILE_BYTES} -- "$f" || exit 3\n'
        "  echo\n"
        "done\n"
        "exit 0"
    )


def split_dumped_files(text: str) -> dict[str, str]:
    """{path: text} from the output of `dump_files_snippet`, in the order printed."""
    if len(text) > MAX_OUTPUT:
        raise CollectionError("config files printed more than 4 MB")
    files: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.split("\n"):
        if line.startswith(_HEADER_START) and line.endswith(_HEADER_END):
            current = files.setdefault(line[len(_HEADER_START) : -len(_HEADER_END)], [])
        elif current is not None:
            current.append(line)
    # the snippet adds a newline after each file: drop it (and the final one)
    return {
        path: "\n".join(lines[:-1] if lines and lines[-1] == "" else lines)
        for path, lines in files.items()
    }


def read_dumped(out: CommandOutput | None, what: str) -> dict[str, str]:
    """The files of a dump snippet's output, or a CollectionError saying why it failed."""
    if out is None:
        raise CollectionError(f"{what}: no output")
    if out.rc == 3 or "Permission denied" in out.stderr:
        raise CollectionError(f"reading {what} needs root: scan as root or with become", out.stderr)
    if out.rc != 0:
        raise CollectionError(f"reading {what} exited with {out.rc}", out.stderr)
    return split_dumped_files(out.stdout)
