# lib.sh -- helpers shared by every scenario; prepended to the scenario script, runs in the target.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SCENARIO=${1:-unknown}
say() { echo "[$SCENARIO] $*"; }

# wait until systemd has finished booting (degraded is fine: some units cannot run in the lab)
wait_boot() {
  local state
  state=$(timeout 90 systemctl is-system-running --wait 2>/dev/null || true)
  case "$state" in running|degraded) ;; *) echo "boot did not finish: '$state'" >&2; exit 1 ;; esac
}

# sshd_set KEY VALUE: set an sshd_config keyword in the main file, in place of its first
# (possibly commented) line, so remediations that edit sshd_config see and change it
sshd_set() {
  local key=$1 value=$2 file=/etc/ssh/sshd_config
  if grep -qiE "^#?[[:space:]]*$key[[:space:]]" "$file"; then
    sed -i -E "0,/^#?[[:space:]]*$key[[:space:]].*/I s//$key $value/" "$file"
    # later duplicates of the keyword would be ignored by sshd but confuse readers
    awk -v k="$key" 'BEGIN{IGNORECASE=1} { if (tolower($1)==tolower(k) && seen++) next; print }' \
      "$file" > "$file.new" && cat "$file.new" > "$file" && rm -f "$file.new"
  else
    sed -i "/^Include /a $key $value" "$file"
  fi
}

# validate the sshd config inside the target, then reload the running sshd
sshd_apply() {
  rm -f /etc/ssh/sshd_config.d/*.conf
  sshd -t
  systemctl reload ssh.service
}

# age every apt index (the Release files' mtime is what "lists refreshed" is read from)
age_apt_lists() {
  find /var/lib/apt/lists -maxdepth 1 -type f -exec touch -d "$1 days ago" {} +
}

periodic() {  # periodic UPDATE_LISTS UNATTENDED_UPGRADE
  printf 'APT::Periodic::Update-Package-Lists "%s";\nAPT::Periodic::Unattended-Upgrade "%s";\n' \
    "$1" "$2" > /etc/apt/apt.conf.d/20auto-upgrades
}

# expect_off UNIT...: fail unless each unit is neither enabled nor active (as the image leaves
# chrony and autofs, for instance)
expect_off() {
  local unit
  for unit in "$@"; do
    if systemctl -q is-enabled "$unit" || systemctl -q is-active "$unit"; then
      echo "$unit is on, expected off" >&2
      return 1
    fi
  done
}

# sudoers_file NAME LINE...: a sudoers.d drop-in (mode 0440, no dot in the name, or sudo skips
# it), checked with visudo
sudoers_file() {
  local file=/etc/sudoers.d/$1; shift
  printf '%s\n' "$@" > "$file"
  chmod 0440 "$file"
  visudo -cq
}

# sysctl_file KEY=VALUE...: /etc/sysctl.d/99-zz-hygie.conf, sorted last so it wins, then applied.
# Only net.* takes effect in the lab: /proc/sys is read-only elsewhere, kernel.* and fs.* stay
# the machine's (README.md), so the errors of `sysctl --system` for them are expected.
sysctl_file() {
  printf '%s\n' "# hygie lab scenario $SCENARIO" "$@" | sed 's/=/ = /' > /etc/sysctl.d/99-zz-hygie.conf
  sysctl --system >/dev/null 2>&1 || true
}

# nginx_tls_site PROTOCOLS CIPHERS: a self-signed certificate and a server on 443 (TLS), with
# ssl_protocols set in nginx.conf (in place of Debian's stock line) and ssl_ciphers in the site
nginx_tls_site() {
  local protocols=$1 ciphers=$2
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$(hostname)" \
    -keyout /etc/nginx/hygie-lab.key -out /etc/nginx/hygie-lab.crt 2>/dev/null
  chmod 0600 /etc/nginx/hygie-lab.key
  sed -i -E "s/^([[:space:]]*)ssl_protocols .*/\1ssl_protocols $protocols;/" /etc/nginx/nginx.conf
  cat > /etc/nginx/sites-available/hygie-lab-tls <<NGINX
server {
  listen 443 ssl default_server;
  listen [::]:443 ssl default_server;
  server_name _;
  ssl_certificate /etc/nginx/hygie-lab.crt;
  ssl_certificate_key /etc/nginx/hygie-lab.key;
  ssl_ciphers $ciphers;
  root /var/www/html;
}
NGINX
  ln -sf ../sites-available/hygie-lab-tls /etc/nginx/sites-enabled/hygie-lab-tls
  nginx -t -q
}

# journald_storage MODE: Storage= in a journald drop-in, then restart journald
journald_storage() {
  mkdir -p /etc/systemd/journald.conf.d
  printf '[Journal]\nStorage=%s\n' "$1" > /etc/systemd/journald.conf.d/hygie.conf
  systemctl restart systemd-journald.service
}

wait_boot
