#!/bin/bash
# target-init.sh ROOT HOSTNAME CONSOLE_LOG -- PID 1 of a new pid+mount+uts+ipc+cgroup namespace,
# already inside the target's netns: builds the target's mounts, pivot_roots into ROOT, drops
# host-affecting capabilities and execs systemd (which stays PID 1). Run by scanner.lab.hosts.
set -euo pipefail
ROOT=$1 HN=$2 CONSOLE=$3
hostname "$HN"
mount --make-rprivate /
mountpoint -q "$ROOT" || mount --bind "$ROOT" "$ROOT"
mount -t proc -o nosuid,nodev,noexec proc "$ROOT/proc"
# /proc/sys read-only except net.* (per netns): a target must never change the host kernel
mount --bind "$ROOT/proc/sys" "$ROOT/proc/sys"
mount --bind "$ROOT/proc/sys/net" "$ROOT/proc/sys/net"
mount -o remount,bind,ro "$ROOT/proc/sys"
for f in sysrq-trigger swaps; do
  [ -e "$ROOT/proc/$f" ] || continue
  mount --bind "$ROOT/proc/$f" "$ROOT/proc/$f"
  mount -o remount,bind,ro "$ROOT/proc/$f"
done
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$ROOT/sys"
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$ROOT/sys/fs/cgroup"
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$ROOT/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$ROOT/tmp"
# a private minimal /dev: no host disk is visible
mount -t tmpfs -o mode=0755,nosuid tmpfs "$ROOT/dev"
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<<"$n"
  mknod -m 666 "$ROOT/dev/$name" c "$major" "$minor"
done
mkdir -p "$ROOT/dev/pts" "$ROOT/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$ROOT/dev/pts"
ln -s pts/ptmx "$ROOT/dev/ptmx"
ln -s /proc/self/fd "$ROOT/dev/fd"
for i in 0:stdin 1:stdout 2:stderr; do ln -s "/proc/self/fd/${i%%:*}" "$ROOT/dev/${i#*:}"; done
mount -t tmpfs -o mode=1777,nosuid,nodev,noexec tmpfs "$ROOT/dev/shm"
touch "$ROOT/dev/console"
mount --bind "$CONSOLE" "$ROOT/dev/console"
cd "$ROOT"
mkdir -p .oldroot
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot
DROP=-sys_time,-sys_module,-sys_boot,-sys_rawio,-wake_alarm,-sys_nice,-syslog
exec env -i container=hygie-lab TERM=dumb \
  setpriv --bounding-set "$DROP" --inh-caps=-all /lib/systemd/systemd --log-target=console
