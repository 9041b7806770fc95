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

wait_boot
