# What logging_files_protected changes, read-only; run as root: sh -s MAX_MODE PATTERN...
# Prints "o-rwx PATH" for each log file open to other users, "o-w PATH" for a world-writable
# file a pattern allows to stay world-readable (login records `last` reads), then
# "create_mode FILE" for each rsyslog file setting a $FileCreateMode wider than MAX_MODE, or
# "create_mode_missing" when none sets one (rsyslog then creates files 0644).
max=$1
shift
find /var/log -xdev -type f -perm /o+rw -print 2>/dev/null | sort | while IFS= read -r path; do
  allowed=no
  for pattern in "$@"; do
    # shellcheck disable=SC2254 # the profile's patterns are globs
    case $path in $pattern) allowed=yes ;; esac
  done
  if [ "$allowed" = no ]; then
    echo "o-rwx $path"
  elif [ -n "$(find "$path" -maxdepth 0 -perm -o+w)" ]; then
    echo "o-w $path"
  fi
done
[ -f /etc/rsyslog.conf ] || exit 0
seen=no
for file in /etc/rsyslog.conf /etc/rsyslog.d/*.conf; do
  [ -f "$file" ] || continue
  modes=$(sed -n -E 's/^[[:space:]]*\$FileCreateMode[[:space:]]+([0-7]+).*/\1/p' "$file")
  [ -n "$modes" ] || continue
  seen=yes
  for mode in $modes; do
    if [ $((0$mode & ~0$max)) -ne 0 ]; then
      echo "create_mode $file"
      break
    fi
  done
done
[ "$seen" = yes ] || echo create_mode_missing
exit 0
