# hardened.sh -- a well-kept host: passes every rule the lab can make real. Exceptions
# (disk encryption of the root filesystem) are listed in README.md beside this file.

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

say "firewall: nftables, inbound default drop (IPv4 and IPv6), ssh allowed, on at boot"
cat > /etc/nftables.conf <<'NFT'
#!/usr/sbin/nft -f
# hygie lab "hardened": inbound default drop, ssh in, everything out
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

say "checking the services came up"
sleep 2
for unit in ssh clamav-daemon clamav-freshclam nftables apt-daily.timer apt-daily-upgrade.timer; do
  systemctl is-active --quiet "$unit" || { echo "$unit is not active" >&2; systemctl status "$unit" --no-pager >&2 || true; exit 1; }
done
say done
