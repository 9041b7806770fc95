#!/bin/sh
# ssh_login_methods.sh USER "CLIENT_IP CLIENT_PORT" -- read-only, run as root. Prints one JSON
# line: how many authorized keys USER has (the AuthorizedKeysFile sshd uses for USER), whether
# an AuthorizedKeysCommand or a user CA also lets keys in, and the method sshd logged for the
# session from CLIENT (publickey, password, keyboard-interactive; unknown when not logged).
# Used by both engines before PasswordAuthentication is turned off (no lockout of USER).
user=$1 client=${2:-}
PATH=/usr/sbin:/usr/bin:/sbin:/bin
home=$(getent passwd "$user" | cut -d: -f6)
config=$(sshd -T -C "user=$user,host=localhost,addr=127.0.0.1" 2>/dev/null)
setting() { printf '%s\n' "$config" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }
keys=0
for file in $(setting authorizedkeysfile); do
  file=$(printf '%s' "$file" | sed "s|%h|$home|g; s|%u|$user|g; s|%%|%|g")
  case $file in /*) ;; *) file="$home/$file" ;; esac
  if [ -f "$file" ]; then
    keys=$((keys + $(grep -cE '^[[:space:]]*[^#[:space:]]' "$file")))
  fi
done
command=no; [ "$(setting authorizedkeyscommand)" != none ] && [ -n "$(setting authorizedkeyscommand)" ] && command=yes
userca=no; [ "$(setting trustedusercakeys)" != none ] && [ -n "$(setting trustedusercakeys)" ] && userca=yes
method=unknown
if [ -n "$client" ]; then
  pattern="Accepted [a-z-]+ for $user from ${client% *} port ${client#* } "
  line=$( { journalctl -u ssh.service -u sshd.service --since -6h -q -o cat 2>/dev/null;
            cat /var/log/auth.log /var/log/secure 2>/dev/null; } | grep -E "$pattern" | tail -n 1)
  [ -n "$line" ] && method=$(printf '%s\n' "$line" | sed -E 's/.*Accepted ([a-z-]+) for .*/\1/')
fi
printf '{"keys": %d, "key_command": "%s", "user_ca": "%s", "method": "%s"}\n' \
  "$keys" "$command" "$userca" "$method"
