# hardened.sh -- a well-kept host: passes every rule the lab can make real. The exceptions
# (what a namespaced host on the machine's kernel cannot show) are listed in README.md.

say "patches: real apt-get update through the relay, then upgrade (the .debs are in the image)"
apt-get -q update
apt-get -q -y -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-unsafe-io upgrade
# no kernel in a lab host: a package's reboot hint cannot be acted on, and the lab restarts
# hosts fresh anyway (README.md)
rm -f /run/reboot-required /run/reboot-required.pkgs
periodic 1 1
# The daily apt timers are really enabled. The runs they trigger (apt.systemd.daily) skip
# any job whose stamp is younger than its interval (1 day), and this host has just updated
# and upgraded: mark that, so no apt run takes the dpkg lock in the middle of a test.
mkdir -p /var/lib/apt/periodic
for stamp in update update-success download-upgradeable upgrade unattended-upgrades; do
  touch "/var/lib/apt/periodic/$stamp-stamp"
done
systemctl unmask apt-daily.timer apt-daily-upgrade.timer >/dev/null
systemctl enable --now apt-daily.timer apt-daily-upgrade.timer unattended-upgrades.service

say "ssh: no root or password login, strong algorithms, tight limits"
sshd_set PermitRootLogin no
sshd_set PasswordAuthentication no
sshd_set KbdInteractiveAuthentication no
sshd_set PermitEmptyPasswords no
sshd_set Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr
sshd_set MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com
sshd_set KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org
sshd_set MaxAuthTries 4
sshd_set X11Forwarding no
sshd_set HostbasedAuthentication no
sshd_set IgnoreRhosts yes
sshd_set LoginGraceTime 60
sshd_set ClientAliveInterval 300
sshd_set ClientAliveCountMax 3
sshd_set LogLevel VERBOSE
sshd_apply

say "antivirus: fresh signatures, clamd and freshclam running"
hygie-lab-clamav-db build
systemctl enable --now clamav-daemon.service clamav-freshclam.service

say "firewall: nftables, inbound default drop (IPv4 and IPv6), ssh and https allowed, on at boot"
cat > /etc/nftables.conf <<'NFT'
#!/usr/sbin/nft -f
# hygie lab "hardened": inbound default drop, ssh and https in, everything out
flush ruleset
table inet filter {
  chain input {
    type filter hook input priority filter; policy drop;
    iif "lo" accept
    ct state established,related accept
    ct state invalid drop
    meta l4proto ipv6-icmp accept
    icmp type echo-request accept
    tcp dport 22 accept
    tcp dport 443 accept
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
  }
  chain output {
    type filter hook output priority filter; policy accept;
  }
}
NFT
nft -c -f /etc/nftables.conf
systemctl enable --now nftables.service
systemctl restart nftables.service

say "disk encryption: a LUKS container on a file, listed in crypttab (cannot be opened here)"
install -d -m 0700 /etc/hygie-lab
head -c 64 /dev/urandom > /etc/hygie-lab/vault.key
chmod 0400 /etc/hygie-lab/vault.key
rm -f /srv/vault.img
truncate -s 20M /srv/vault.img
cryptsetup luksFormat --batch-mode --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
  --key-file /etc/hygie-lab/vault.key /srv/vault.img
printf 'vault /srv/vault.img /etc/hygie-lab/vault.key luks,noauto\n' > /etc/crypttab

say "session lock: idle shells close after 15 minutes, readonly"
printf 'TMOUT=900\nreadonly TMOUT\nexport TMOUT\n' > /etc/profile.d/tmout.sh

say "passwords: pwquality (14 characters, 3 classes), faillock (5 tries, 15 min), yescrypt, 365 days"
pam-auth-update --enable pwquality
mkdir -p /etc/security/pwquality.conf.d
printf 'minlen = 14\nminclass = 3\n' > /etc/security/pwquality.conf.d/hygie.conf
# pam_faillock around pam_unix (Debian has no pam-auth-update profile for it): preauth refuses a
# locked account, authfail counts a failure. Public-key SSH logins and NOPASSWD sudo do not use
# the auth stack, so the lab's access is unchanged.
cat > /etc/pam.d/common-auth <<'PAM'
# hygie lab "hardened": pam_unix between pam_faillock's preauth and authfail
auth	required			pam_faillock.so preauth
auth	[success=2 default=ignore]	pam_unix.so
auth	[default=die]			pam_faillock.so authfail
auth	requisite			pam_deny.so
auth	required			pam_permit.so
PAM
sed -i '0,/^account/s//account\trequired\t\t\tpam_faillock.so\naccount/' /etc/pam.d/common-account
printf 'deny = 5\nunlock_time = 900\n' > /etc/security/faillock.conf
sed -i -E 's/^PASS_MAX_DAYS.*/PASS_MAX_DAYS\t365/; s/^#?ENCRYPT_METHOD.*/ENCRYPT_METHOD YESCRYPT/' \
  /etc/login.defs

say "accounts: root locked, sudo in a pty and logged to a file, inactive accounts disabled"
passwd -q -l root
sudoers_file logging 'Defaults use_pty' 'Defaults logfile=/var/log/sudo.log'
useradd -D -f 45
chmod 0750 /home/hygie

say "removable media: usb-storage blocked, no automounter, USB mounts nodev,nosuid,noexec"
mkdir -p /etc/modprobe.d  # kmod is not in the image: no modprobe.d yet
printf 'install usb-storage /bin/false\nblacklist usb-storage\n' > /etc/modprobe.d/hygie-usb-storage.conf
expect_off autofs.service  # as the image leaves it
mkdir -p /media/usb
printf '/dev/sdz1 /media/usb vfat noauto,nodev,nosuid,noexec 0 0\n' >> /etc/fstab

say "logging: auditd enabled with identity, privilege and admin rules; persistent journal; forwarding"
systemctl -q unmask auditd.service
systemctl -q enable auditd.service  # enabled; it cannot run in a namespace (README.md)
cat > /etc/audit/rules.d/50-hygie.rules <<'AUDIT'
-w /etc/passwd -p wa -k identity
-w /etc/shadow -p wa -k identity
-w /etc/group -p wa -k identity
-w /etc/gshadow -p wa -k identity
-w /etc/security/opasswd -p wa -k identity
-w /etc/sudoers -p wa -k scope
-w /etc/sudoers.d -p wa -k scope
-a always,exit -F arch=b64 -S execve -C uid!=euid -F euid=0 -k privileged
-a always,exit -F arch=b64 -S init_module,finit_module,delete_module -k modules
-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change
AUDIT
chmod 0640 /etc/audit/rules.d/50-hygie.rules
augenrules >/dev/null  # builds /etc/audit/audit.rules (loading them needs the initial namespace)
journald_storage persistent
printf '*.* action(type="omfwd" target="logs.lab.invalid" port="514" protocol="tcp")\n' \
  > /etc/rsyslog.d/90-remote.conf
rsyslogd -N1 >/dev/null 2>&1
systemctl enable rsyslog.service 2>/dev/null
systemctl restart rsyslog.service

say "time: chrony with two servers, enabled and running (it never sets the clock here)"
printf 'server ntp1.lab.invalid iburst\nserver ntp2.lab.invalid iburst\n' \
  > /etc/chrony/sources.d/hygie.sources
systemctl enable chrony.service 2>/dev/null
systemctl restart chrony.service

say "services: no telnet or inetd; nginx on 443 only"
dpkg --force-unsafe-io --purge inetutils-telnetd openbsd-inetd >/dev/null

say "kernel: every network and kernel hardening sysctl set (only net.* applies in the lab)"
sysctl_file net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 \
  net.ipv4.conf.all.accept_redirects=0 net.ipv4.conf.default.accept_redirects=0 \
  net.ipv4.conf.all.secure_redirects=0 net.ipv4.conf.default.secure_redirects=0 \
  net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 \
  net.ipv6.conf.all.accept_redirects=0 net.ipv6.conf.default.accept_redirects=0 \
  net.ipv4.conf.all.accept_source_route=0 net.ipv4.conf.default.accept_source_route=0 \
  net.ipv6.conf.all.accept_source_route=0 net.ipv6.conf.default.accept_source_route=0 \
  net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.rp_filter=1 \
  net.ipv4.tcp_syncookies=1 \
  net.ipv4.conf.all.log_martians=1 net.ipv4.conf.default.log_martians=1 \
  kernel.randomize_va_space=2 kernel.kptr_restrict=1 kernel.dmesg_restrict=1 \
  kernel.yama.ptrace_scope=1 fs.suid_dumpable=0 fs.protected_symlinks=1 fs.protected_hardlinks=1

say "tls: nginx on 443 only, TLS 1.2 and 1.3, strong ciphers"
rm -f /etc/nginx/sites-enabled/default
nginx_tls_site 'TLSv1.2 TLSv1.3' 'ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5'
systemctl enable nginx.service 2>/dev/null
systemctl restart nginx.service

say "backup: rsnapshot of /etc, scheduled daily by cron, run once now"
cat > /etc/rsnapshot.conf <<'RSNAPSHOT'
config_version	1.2
snapshot_root	/var/backups/rsnapshot/
no_create_root	0
cmd_rsync	/usr/bin/rsync
cmd_cp	/bin/cp
cmd_rm	/bin/rm
retain	alpha	7
verbose	1
loglevel	2
lockfile	/run/rsnapshot.pid
backup	/etc/	localhost/
RSNAPSHOT
rsnapshot configtest >/dev/null
printf '30 3 * * * root /usr/bin/rsnapshot alpha\n' > /etc/cron.d/hygie-lab-rsnapshot
rsnapshot alpha

say "file permissions: sshd_config and the system crontabs private to root"
chmod 0600 /etc/ssh/sshd_config
chmod 0600 /etc/crontab
for dir in /etc/cron.d /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly; do
  [ -d "$dir" ] && chmod 0700 "$dir"
done

say "checking the services came up"
sleep 2
for unit in ssh clamav-daemon clamav-freshclam nftables apt-daily.timer apt-daily-upgrade.timer \
    chrony nginx rsyslog; do
  systemctl is-active --quiet "$unit" || { echo "$unit is not active" >&2; systemctl status "$unit" --no-pager >&2 || true; exit 1; }
done
# last, after every service has written its logs: none open to all users (wtmp and lastlog are
# world-readable by design)
find /var/log -type f -perm /o+rw ! -name wtmp ! -name lastlog -exec chmod o-rwx {} +
say done
