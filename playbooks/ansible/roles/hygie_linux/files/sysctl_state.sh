#!/bin/sh
# sysctl_state.sh DROPIN SPEC... -- read-only, run as root, by both engines before a kernel
# rule writes its sysctl.d drop-in. SPEC is KEY=eq:N, KEY=ge:N or KEY=in:N,M (what the rule
# accepts). Prints one JSON line:
#   settings  [[KEY, VALUE], ...] for DROPIN: a value in effect that the rule accepts is kept
#             (nothing is weakened), else the rule's value; IPv6 keys left out without IPv6
#   apply     keys whose value in effect is not that value and can be written now
#   readonly  keys whose value in effect is not that value but cannot be written here: a
#             read-only /proc/sys (a container or lab host: kernel.* and fs.* belong to the
#             host's kernel) or a key this kernel lacks (no Yama)
#   later     "FILE: LINE" assignments of these keys, to another value, in files applied after
#             DROPIN (systemd-sysctl order, /etc/sysctl.conf last unless linked): they would win
dropin=$1
shift
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C
ipv6=no
[ -d /proc/sys/net/ipv6 ] && ipv6=yes
settings="" apply="" readonly="" wanted=""
for spec in "$@"; do
  key=${spec%%=*} rule=${spec#*=}
  kind=${rule%%:*} values=${rule#*:}
  case $key in net.ipv6.*) [ "$ipv6" = yes ] || continue ;; esac
  path=/proc/sys/$(printf '%s' "$key" | tr . /)
  current=""
  [ -r "$path" ] && current=$(tr -cd '0-9-' < "$path")
  value=""
  case $kind in
    eq) value=$values ;;
    ge) value=$values
        case $current in ''|*[!0-9]*) ;; *) [ "$current" -gt "$values" ] && value=$current ;; esac ;;
    in) value=${values%%,*}
        for allowed in $(printf '%s' "$values" | tr , ' '); do
          [ "$current" = "$allowed" ] && value=$current
        done ;;
  esac
  settings="$settings${settings:+, }[\"$key\", \"$value\"]"
  wanted="$wanted $key=$value"
  if [ "$current" != "$value" ]; then
    if [ -e "$path" ] && [ -w "$path" ]; then
      apply="$apply${apply:+, }\"$key\""
    else
      readonly="$readonly${readonly:+, }\"$key\""
    fi
  fi
done

# the files applied after DROPIN, in order: names sorted across the directories, a name in an
# earlier directory hiding the same name in a later one; /etc/sysctl.conf last unless a file
# links to it (as the scan reads them, facts/kernel_hardening.py)
dirs="/etc/sysctl.d /run/sysctl.d /usr/local/lib/sysctl.d /usr/lib/sysctl.d /lib/sysctl.d"
later_files="" seen=""
for name in $(for d in $dirs; do ls "$d" 2>/dev/null; done | grep '\.conf$' | sort -u); do
  for d in $dirs; do
    [ -f "$d/$name" ] || continue
    real=$(readlink -f "$d/$name")
    case " $seen " in *" $real "*) break ;; esac
    seen="$seen $real"
    [ "$name" \> "$dropin" ] && later_files="$later_files $d/$name"
    break
  done
done
case " $seen " in *" /etc/sysctl.conf "*) ;; *)
  [ -f /etc/sysctl.conf ] && later_files="$later_files /etc/sysctl.conf" ;;
esac
later=""
for file in $later_files; do
  found=$(awk -v wanted="$wanted" '
    BEGIN { n = split(wanted, pairs, " "); for (i = 1; i <= n; i++) {
      split(pairs[i], kv, "="); value[kv[1]] = kv[2] } }
    { line = $0; sub(/^[ \t]*-?/, "", line); split(line, kv, "=")
      key = kv[1]; gsub(/[ \t]/, "", key); gsub(/\//, ".", key)
      got = kv[2]; gsub(/[ \t]/, "", got)
      if ((key in value) && got != value[key]) print }' "$file" | tr -d '"\\\000-\011\013-\037')
  [ -n "$found" ] || continue
  while IFS= read -r line; do
    later="$later${later:+, }\"$file: $line\""
  done <<EOF
$found
EOF
done
printf '{"settings": [%s], "apply": [%s], "readonly": [%s], "later": [%s]}\n' \
  "$settings" "$apply" "$readonly" "$later"
