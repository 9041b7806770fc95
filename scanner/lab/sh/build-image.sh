#!/bin/bash
# build-image.sh ROOTFS TARBALL MIRROR_URL PACKAGES_CSV SOURCES_FILE CLAMAV_HELPER
# Builds the lab's Debian 12 golden image: debootstrap, finish, tar with zstd. Run by scanner.lab.image.
set -euo pipefail
R=$1 OUT=$2 MIRROR=$3 PKGS=$4 SOURCES=$5 CLAMAV_HELPER=$6
debootstrap --variant=minbase --include="$PKGS" bookworm "$R" "$MIRROR"
chroot "$R" apt-get clean

# apt: the host's own http mirrors (bookworm, -updates, -security), lists refreshed at build time
# so "which updates are pending" answers offline; the .debs of the pending upgrade are
# downloaded too, so a scenario's real `apt-get upgrade` does not wait on the network.
rm -f "$R/etc/apt/sources.list"
install -m 0644 "$SOURCES" "$R/etc/apt/sources.list.d/debian.sources"
printf 'Acquire::Check-Valid-Until "false";\n' > "$R/etc/apt/apt.conf.d/99hygie-lab"
cp /etc/resolv.conf "$R/etc/resolv.conf"
chroot "$R" apt-get update -q
# inetd and telnetd (the weak host's clear-text service) fail in debootstrap's base stage
chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends \
  install openbsd-inetd inetutils-telnetd
chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get -q -y --download-only upgrade
rm -f "$R"/var/cache/apt/*.bin
echo 'nameserver 127.0.0.1' > "$R/etc/resolv.conf"

# rsyslog must not read the host's kernel log; ufw installed but off
sed -i 's/^module(load="imklog"/#&/' "$R/etc/rsyslog.conf"
sed -i 's/^ENABLED=yes/ENABLED=no/' "$R/etc/ufw/ufw.conf"

# admin user for scans and remediation: key login (keys are added per host), sudo without password
chroot "$R" useradd --create-home --shell /bin/bash hygie
echo 'hygie ALL=(ALL) NOPASSWD:ALL' > "$R/etc/sudoers.d/hygie"
chmod 0440 "$R/etc/sudoers.d/hygie"

# ClamAV: freshclam cannot reach the internet, so the image carries the sources of a small
# unsigned "daily" database (one EICAR hash) and the helper that rebuilds or ages it
install -d "$R/usr/local/share/hygie-lab/clamav"
install -m 0755 "$CLAMAV_HELPER" "$R/usr/local/sbin/hygie-lab-clamav-db"
printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' \
  > "$R/usr/local/share/hygie-lab/clamav/eicar.com"
chroot "$R" /usr/local/sbin/hygie-lab-clamav-db build
# clamd's unit only starts when main/daily .cvd exist: accept our .cud too
install -d "$R/etc/systemd/system/clamav-daemon.service.d"
printf '[Unit]\nConditionPathExistsGlob=\nConditionPathExistsGlob=/var/lib/clamav/*.c[vlu][dl]\n' \
  > "$R/etc/systemd/system/clamav-daemon.service.d/hygie-lab.conf"

# systemd as PID 1 in a namespace: no console getty; no background apt runs unless a
# scenario turns them on; auditd cannot run outside the initial namespaces
for u in console-getty.service apt-daily.timer apt-daily-upgrade.timer auditd.service; do
  ln -sf /dev/null "$R/etc/systemd/system/$u"
done

# services of the baseline's other areas: installed but off, so a host as built runs what it ran
# before; the scenarios turn them on, configure them or remove them (scenarios/README.md)
chroot "$R" systemctl disable chrony.service autofs.service nginx.service openbsd-inetd.service
# chronyd in a namespace: CAP_SYS_TIME is dropped, so it may never set the clock (-x) and its
# unit's ConditionCapability=CAP_SYS_TIME must go; it still polls its servers and reports
sed -i 's/^DAEMON_OPTS=.*/DAEMON_OPTS="-F 1 -x"/' "$R/etc/default/chrony"
install -d "$R/etc/systemd/system/chrony.service.d"
printf '[Unit]\nConditionCapability=\n' > "$R/etc/systemd/system/chrony.service.d/hygie-lab.conf"

# per-host identity (host keys, machine-id) is created when a host starts
rm -f "$R"/etc/ssh/ssh_host_*
: > "$R/etc/machine-id"
tar --numeric-owner --xattrs --acls -C "$R" -I 'zstd -T0 -3' -cf "$OUT.part" .
mv "$OUT.part" "$OUT"
