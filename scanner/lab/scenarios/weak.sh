# weak.sh -- a neglected host: fails every area of the baseline (README.md beside this file
# lists the rules that still pass, and why).

say "firewall: nothing loaded, nothing enabled at boot"
systemctl disable --now nftables.service ufw.service 2>/dev/null || true
# iptables here is iptables-nft: an empty nft ruleset also means no iptables rule or policy
nft flush ruleset
sed -i 's/^ENABLED=.*/ENABLED=no/' /etc/ufw/ufw.conf

say "antivirus: installed, but clamd and freshclam stopped and disabled, signatures 45 days old"
systemctl disable --now clamav-daemon.service clamav-daemon.socket clamav-freshclam.service
hygie-lab-clamav-db age 45

say "patches: pending security updates (from the image), lists 60 days old, no upgrade logged"
periodic 0 0
systemctl mask apt-daily.timer apt-daily-upgrade.timer >/dev/null
age_apt_lists 60
rm -f /var/log/apt/history.log /var/log/apt/history.log.*.gz
: > /var/log/apt/history.log
printf '*** System restart required ***\n' > /run/reboot-required
printf 'libc6\n' > /run/reboot-required.pkgs

say "session lock: idle shells close after an hour, and users may change it"
printf 'TMOUT=3600\nexport TMOUT\n' > /etc/profile.d/tmout.sh

say "passwords: no quality check, no lockout, no expiry; an MD5 hash and an empty password"
pam-auth-update --disable pwquality
useradd -m -s /bin/bash legacy
echo 'legacy:Legacy-2019' | chpasswd -c MD5
useradd -m -s /bin/bash guest
passwd -q -d guest

say "accounts: a second UID 0, root with a password, sudo for all users, lax files"
useradd -o -u 0 -g 0 -M -d /root -s /bin/bash toor
echo 'root:Weak-root-1' | chpasswd
sudoers_file weaklog 'Defaults !use_pty'
sudoers_file weak '%users ALL=(ALL) NOPASSWD: ALL'
usermod -s /bin/bash games
chmod 0777 /home/guest

say "removable media: usb-storage loadable, autofs on at boot, a USB mount without nodev/nosuid/noexec"
rm -f /etc/modprobe.d/hygie-usb-storage.conf
systemctl -q enable autofs.service 2>/dev/null
mkdir -p /media/usb
printf '/dev/sdz1 /media/usb vfat noauto,user 0 0\n' >> /etc/fstab

say "logging: no auditd, a volatile journal, no forwarding, logs open to all"
dpkg --force-unsafe-io --purge auditd >/dev/null
journald_storage volatile
sed -i 's/^\$FileCreateMode.*/$FileCreateMode 0644/' /etc/rsyslog.conf
systemctl restart rsyslog.service
touch /var/log/auth.log
chmod 0666 /var/log/auth.log

say "time: chrony installed but stopped and disabled (as in the image)"
expect_off chrony.service

say "services: telnet through inetd, nginx on 80 and 443"
# telnetd's package leaves its inetd.conf line off: turn it on
sed -i '/telnetd/d' /etc/inetd.conf
printf 'telnet\tstream\ttcp\tnowait\troot\t/usr/sbin/telnetd\ttelnetd\n' >> /etc/inetd.conf
systemctl enable --now inetd.service 2>/dev/null

say "kernel: forwarding, redirects, source routing on; no rp_filter, syncookies or martians log"
sysctl_file net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
  net.ipv4.conf.all.accept_redirects=1 net.ipv4.conf.default.accept_redirects=1 \
  net.ipv4.conf.all.secure_redirects=1 net.ipv4.conf.default.secure_redirects=1 \
  net.ipv4.conf.all.send_redirects=1 net.ipv4.conf.default.send_redirects=1 \
  net.ipv6.conf.all.accept_redirects=1 net.ipv6.conf.default.accept_redirects=1 \
  net.ipv4.conf.all.accept_source_route=1 net.ipv4.conf.default.accept_source_route=1 \
  net.ipv6.conf.all.accept_source_route=1 net.ipv6.conf.default.accept_source_route=1 \
  net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
  net.ipv4.tcp_syncookies=0 \
  net.ipv4.conf.all.log_martians=0 net.ipv4.conf.default.log_martians=0 \
  kernel.randomize_va_space=0 kernel.kptr_restrict=0 kernel.dmesg_restrict=0 \
  kernel.yama.ptrace_scope=0 fs.suid_dumpable=2 fs.protected_symlinks=0 fs.protected_hardlinks=0

say "tls: nginx's stock TLSv1-TLSv1.3, weak ciphers at security level 0 (TLS 1.0 handshakes work)"
nginx_tls_site 'TLSv1 TLSv1.1 TLSv1.2 TLSv1.3' 'DEFAULT:3DES:@SECLEVEL=0'
systemctl enable --now nginx.service 2>/dev/null

say "backup: rsnapshot installed (the image) but never scheduled, never run"

say "ssh: root and password logins, weak algorithms, lax limits"
sshd_set PermitRootLogin yes
sshd_set PasswordAuthentication yes
sshd_set KbdInteractiveAuthentication yes
sshd_set PermitEmptyPasswords yes
sshd_set Ciphers +aes128-cbc,3des-cbc
sshd_set MACs +hmac-sha1,hmac-md5
sshd_set KexAlgorithms +diffie-hellman-group14-sha1
sshd_set MaxAuthTries 10
sshd_set X11Forwarding yes
sshd_set HostbasedAuthentication yes
sshd_set IgnoreRhosts no
sshd_set LoginGraceTime 600
sshd_set ClientAliveInterval 0
sshd_set LogLevel QUIET
# With empty passwords permitted, every client's first ("none") auth attempt is an empty
# password checked by PAM, which fails after pam_unix's 2 s delay: drop the delay (weaker
# still, and it keeps each SSH connection to this host fast).
sed -i -E 's/^(auth.*pam_unix\.so.*nullok)( nodelay)?/\1 nodelay/' /etc/pam.d/common-auth
sshd_apply

say "file permissions: account databases open, shadow readable by all (after every account change)"
chmod 0644 /etc/shadow
chmod 0666 /etc/passwd
say done
