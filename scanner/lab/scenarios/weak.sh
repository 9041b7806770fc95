# weak.sh -- a neglected host: fails every area of the baseline (see README.md for the
# two rules that still pass: antivirus_installed and disk_encryption_swap).

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
say done
