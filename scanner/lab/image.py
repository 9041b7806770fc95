"""The lab's golden image: a Debian 12 rootfs built by debootstrap, cached as a zstd tarball.

The tarball name carries a hash of the recipe (packages, build scripts, apt sources), so a
recipe change builds a new one; the extracted rootfs beside it is every host's overlay lower dir.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from scanner.lab import mirror
from scanner.lab.layout import PACKAGE_DIR, shell_script
from scanner.lab.system import LabError, run

BUILD_SCRIPTS = ("build-image.sh", "clamav-db.sh")
KEEP_TARBALLS = 3


def packages() -> list[str]:
    lines = (PACKAGE_DIR / "image-packages.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def recipe_hash(sources_text: str) -> str:
    """Hash of everything that decides the image's content."""
    digest = hashlib.sha256()
    digest.update("\n".join(packages()).encode())
    for name in BUILD_SCRIPTS:
        digest.update(shell_script(name).read_bytes())
    digest.update(sources_text.encode())
    return digest.hexdigest()[:12]


def ensure_image(cache: Path, log: Callable[[str], None] = print) -> Path:
    """Return the extracted rootfs of the current recipe, building or extracting it if needed."""
    sources = mirror.bookworm_sources(mirror.host_sources())
    sources_text = mirror.render_deb822(sources)
    recipe = recipe_hash(sources_text)
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / "lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # labs sharing the cache build or extract one at a time
        return _ensure(cache, recipe, sources, sources_text, log)


def _ensure(cache: Path, recipe: str, sources: list[mirror.AptSource], sources_text: str,
            log: Callable[[str], None]) -> Path:
    tarball = cache / f"debian12-{recipe}.tar.zst"
    rootfs = cache / f"rootfs-{recipe}"
    _prune(cache, keep=rootfs, tarball=tarball)
    if (rootfs / "etc/debian_version").is_file():
        return rootfs
    if tarball.is_file():
        started = time.monotonic()
        part = cache / f"rootfs-{recipe}.part"
        shutil.rmtree(part, ignore_errors=True)
        part.mkdir()
        run(["tar", "--numeric-owner", "--xattrs", "--acls", "-I", "zstd", "-C", str(part),
             "-xf", str(tarball)], timeout=600)
        part.rename(rootfs)
        log(f"image {tarball.name} extracted in {time.monotonic() - started:.1f} s")
        return rootfs
    _build(cache, recipe, sources, sources_text, tarball, rootfs, log)
    return rootfs


def _build(cache: Path, recipe: str, sources: list[mirror.AptSource], sources_text: str,
           tarball: Path, rootfs: Path, log: Callable[[str], None]) -> None:
    started = time.monotonic()
    build = cache / f"rootfs-{recipe}.build"
    shutil.rmtree(build, ignore_errors=True)
    sources_file = cache / f"sources-{recipe}.sources"
    sources_file.write_text(sources_text)
    build_log = cache / f"build-{recipe}.log"
    log(f"building the lab image {tarball.name} (log: {build_log})")
    cmd = ["bash", str(shell_script("build-image.sh")), str(build), str(tarball),
           mirror.main_mirror(sources), ",".join(packages()), str(sources_file),
           str(shell_script("clamav-db.sh"))]
    with build_log.open("w") as out:
        done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=1800)
    sources_file.unlink()
    if done.returncode != 0:
        shutil.rmtree(build, ignore_errors=True)
        tail = build_log.read_text(errors="replace")[-1500:]
        raise LabError(f"image build failed (exit {done.returncode}), see {build_log}:\n{tail}")
    build.rename(rootfs)
    log(f"image {tarball.name} built in {time.monotonic() - started:.0f} s")


def _prune(cache: Path, keep: Path, tarball: Path) -> None:
    """Drop extracted rootfs of other recipes and half-done work; keep a few recent tarballs."""
    mounts = Path("/proc/mounts").read_text()
    for path in cache.glob("rootfs-*"):
        if path != keep and f"lowerdir={path}," not in mounts:  # other labs may still use it
            shutil.rmtree(path, ignore_errors=True)
    tarballs = sorted(cache.glob("debian12-*.tar.zst"), key=lambda p: p.stat().st_mtime)
    for old in [t for t in tarballs if t != tarball][: max(0, len(tarballs) - KEEP_TARBALLS)]:
        old.unlink()
    for part in cache.glob("*.part"):
        part.unlink()
    for log in cache.glob("build-*.log"):
        recipe = log.stem.removeprefix("build-")
        if not (cache / f"debian12-{recipe}.tar.zst").exists() and tarball.name != \
                f"debian12-{recipe}.tar.zst":
            log.unlink()
