"""Pure parsers of the logging fact's outputs: journald Storage=, log forwarding (rsyslog,
syslog-ng, systemd-journal-upload), rsyslog file modes, and exposed files under /var/log.

Example forwarder: {"daemon": "rsyslog", "target": "logs.example.org:6514", "protocol": "tcp",
"file": "/etc/rsyslog.d/90-remote.conf"}
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from scanner.facts.base import CollectionError

MAX_OUTPUT = 1_000_000
# systemd reads drop-ins of all these directories in file-name order; for one name /etc wins
_JOURNALD_DROPIN_DIRS = ["/etc/", "/run/", "/usr/local/lib/", "/usr/lib/", "/lib/"]
_STORAGE = re.compile(r"^\s*Storage\s*=\s*([a-z]{1,12})\s*$")
_LEGACY_FORWARD = re.compile(r"^\s*\S+\s+(@@?)(\(o\))?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:\d+)?")
_PARAM = re.compile(r'\b([A-Za-z.]{1,40})\s*=\s*"([^"]{0,300})"')
_NETWORK_DRIVER = re.compile(
    r"\b(network|syslog|tcp6?|udp6?)\s*\(\s*\"?([A-Za-z0-9_.:\[\]-]{1,255})"
)
_TRANSPORT = re.compile(r"transport\s*\(\s*\"?([a-z]{1,10})")
_URL = re.compile(r"^\s*URL\s*=\s*([a-z]{2,8})://(?:[^@/\s]*@)?([^/\s]{1,255})")
_MODE = re.compile(r"(?i)(?:\$FileCreateMode\s+|fileCreateMode\s*=\s*\")(0?[0-7]{3,4})\b")
_FILE_LINE = re.compile(r"^([0-7]{3,4}) (\S{1,64}) (\S{1,64}) (/var/log/.{1,4096})$")


class LogForwarder(BaseModel):
    daemon: str  # rsyslog, syslog-ng, systemd-journal-upload
    target: str  # host[:port] or URL host
    protocol: str  # tcp, udp, relp, tls, https, http …
    file: str


class LogFile(BaseModel):
    path: str
    mode: str  # octal, as find prints it ("644")
    owner: str
    group: str


def _split_tagged(line: str) -> tuple[str, str, str] | None:
    parts = line.split("\t", 2)
    if len(parts) != 3 or not all(part.isprintable() for part in parts):
        return None
    return parts[0], parts[1], parts[2]


def parse_journald_storage(text: str) -> tuple[str, str | None, bool]:
    """(effective Storage=, the file that set it (None: default), /var/log/journal exists)."""
    if len(text) > MAX_OUTPUT:
        raise CollectionError("journald configuration output is larger than 1 MB")
    main: list[tuple[str, str]] = []
    dropins: dict[str, tuple[int, str, str]] = {}  # name -> (rank, path, value)
    journal_dir = False
    for line in text.splitlines():
        if line.strip() == "journal_dir /var/log/journal":
            journal_dir = True
            continue
        path, sep, content = line.partition(":")
        match = _STORAGE.match(content)
        if not sep or not match:
            continue
        if path == "/etc/systemd/journald.conf":
            main.append((path, match.group(1)))
            continue
        rank = next((i for i, d in enumerate(_JOURNALD_DROPIN_DIRS) if path.startswith(d)), None)
        if rank is None or "/journald.conf.d/" not in path:
            continue
        name = path.rsplit("/", 1)[-1]
        known = dropins.get(name)
        if known is None or rank < known[0] or (rank == known[0] and path == known[1]):
            dropins[name] = (rank, path, match.group(1))
    ordered = main + [(dropins[name][1], dropins[name][2]) for name in sorted(dropins)]
    if not ordered:
        return "auto", None, journal_dir
    path, value = ordered[-1]
    return value, path, journal_dir


def _rsyslog_action(file: str, statement: str) -> LogForwarder | None:
    params = {key.lower(): value for key, value in _PARAM.findall(statement)}
    kind = params.get("type", "").lower()
    if kind not in {"omfwd", "omrelp"} or not params.get("target"):
        return None
    protocol = "relp" if kind == "omrelp" else params.get("protocol", "udp").lower()
    if "1" in (params.get("streamdrivermode"), params.get("streamdriver.mode")):
        protocol = "tls"
    port = params.get("port", "")
    target = params["target"] + (f":{port}" if port else "")
    return LogForwarder(daemon="rsyslog", target=target, protocol=protocol, file=file)


def parse_forwarding(text: str) -> tuple[list[LogForwarder], str | None]:
    """(forwarders, rsyslog's last $FileCreateMode) from the forwarding snippet's lines:
    `<tag>\\t<file>\\t<text>`, tag rsyslog_action, rsyslog_line, syslogng_destination or
    journal_upload."""
    if len(text) > MAX_OUTPUT:
        raise CollectionError("log forwarding configuration output is larger than 1 MB")
    forwarders: list[LogForwarder] = []
    file_mode = None
    for line in text.splitlines():
        tagged = _split_tagged(line)
        if tagged is None:
            continue
        tag, file, content = tagged
        if tag == "rsyslog_action":
            forwarder = _rsyslog_action(file, content)
            forwarders += [forwarder] if forwarder else []
        elif tag == "rsyslog_line":
            mode = _MODE.search(content)
            file_mode = mode.group(1).zfill(4) if mode else file_mode
            legacy = _LEGACY_FORWARD.match(content)
            if legacy and not content.lstrip().startswith("$"):
                target = legacy.group(3) + (legacy.group(4) or "")
                protocol = "tcp" if legacy.group(1) == "@@" else "udp"
                forwarders.append(
                    LogForwarder(daemon="rsyslog", target=target, protocol=protocol, file=file)
                )
        elif tag == "syslogng_destination":
            driver = _NETWORK_DRIVER.search(content)
            if driver:
                transport = _TRANSPORT.search(content)
                protocol = transport.group(1) if transport else driver.group(1).rstrip("6")
                protocol = "tcp" if protocol in {"network", "syslog"} else protocol
                forwarders.append(
                    LogForwarder(
                        daemon="syslog-ng", target=driver.group(2), protocol=protocol, file=file
                    )
                )
        elif tag == "journal_upload":
            url = _URL.match(content)
            if url:
                forwarders.append(
                    LogForwarder(
                        daemon="systemd-journal-upload",
                        target=url.group(2),
                        protocol=url.group(1),
                        file=file,
                    )
                )
    return forwarders, file_mode


def parse_log_files(text: str) -> list[LogFile]:
    """World-readable or -writable files under /var/log (`find -printf '%m %u %g %p'`).

    A line `unreadable <dir>` means the scan could not look inside a directory: an error,
    since a file hidden there could be exposed.
    """
    if len(text) > MAX_OUTPUT:
        raise CollectionError("the /var/log listing is larger than 1 MB")
    files = []
    for line in text.splitlines():
        if line.startswith("unreadable "):
            raise CollectionError(f"cannot list {line[11:][:200]}: scan as root or with become")
        match = _FILE_LINE.match(line)
        if match and line.isprintable():
            mode, owner, group, path = match.groups()
            files.append(LogFile(path=path, mode=mode.zfill(4), owner=owner, group=group))
    return files
