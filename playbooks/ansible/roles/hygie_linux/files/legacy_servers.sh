#!/bin/sh
# legacy_servers.sh PACKAGE... -- read-only, run as root, by both engines before
# services_legacy_cleartext_absent purges clear-text servers. Prints one JSON line:
#   installed  the PACKAGEs dpkg has installed (as the scan reads them: status "?i")
#   others     packages apt would also remove with them (a package that depends on one): the
#              fix refuses rather than remove what nobody named
#   inetd      yes when /etc/inetd.conf exists; units: the inetd services running now
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C
installed=$([ $# -gt 0 ] && dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "$@" 2>/dev/null |
  awk 'substr($1, 2, 1) == "i" { print $NF }' | sort -u)
others=""
if [ -n "$installed" ]; then
  # shellcheck disable=SC2086
  others=$(apt-get -s -o Debug::NoLocking=1 purge $installed 2>/dev/null |
    awk '$1 == "Purg" || $1 == "Remv" { print $2 }' | grep -vxF "$installed" | sort -u)
fi
inetd=no
[ -f /etc/inetd.conf ] && inetd=yes
units=""  # openbsd-inetd's unit is inetd.service (alias openbsd-inetd.service once enabled)
for unit in inetd.service openbsd-inetd.service inetutils-inetd.service; do
  systemctl is-active --quiet "$unit" 2>/dev/null || continue
  id=$(systemctl show -p Id --value "$unit" 2>/dev/null)
  case " $units " in *" ${id:-$unit} "*) ;; *) units="$units ${id:-$unit}" ;; esac
done
list() { printf '%s\n' "$@" | awk 'NF { printf "%s\"%s\"", (n++ ? ", " : ""), $1 }'; }
# shellcheck disable=SC2086
printf '{"installed": [%s], "others": [%s], "inetd": "%s", "units": [%s]}\n' \
  "$(list $installed)" "$(list $others)" "$inetd" "$(list $units)"
