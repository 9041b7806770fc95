#!/bin/bash
# hygie-lab-clamav-db build | age DAYS -- runs inside a lab image or host (installed by build-image.sh).
# build: (re)build the unsigned local daily.cud now; age: rewrite its header to DAYS days ago.
set -euo pipefail
SRC=/usr/local/share/hygie-lab/clamav DB=/var/lib/clamav/daily.cud
case "${1:-}" in
build)
  W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
  cd "$W"
  sigtool --md5 "$SRC/eicar.com" | sed 's/:[^:]*$/:Hygie.Lab.Eicar-Test-Signature/' > daily.hdb
  echo 'Hygie lab test database' > COPYING
  # sigtool looks for an older daily database first and complains when there is none
  printf '27500\nhygie-lab\n' | sigtool --datadir="$W" --build=daily.cud --unsigned >/dev/null 2>&1 || true
  [ -s daily.cud ] || { echo "sigtool could not build daily.cud" >&2; exit 1; }
  install -o clamav -g clamav -m 0644 daily.cud "$DB" ;;
age)
  # The header ("ClamAV-VDB:<date>:<version>:<sigs>:<flevel>:<md5>:<dsig>:<builder>:<stime>",
  # 512 bytes) and the first line of daily.info inside the tar.gz must agree, and the header
  # carries the md5 of the tar.gz: rewrite both dates, repack, recompute the md5.
  DAYS=${2:?days}; STIME=$(( $(date +%s) - DAYS * 86400 ))
  DATE=$(LC_ALL=C date -u -d "@$STIME" '+%d %b %Y %H-%M %z')
  W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
  tail -c +513 "$DB" | tar -xzf - -C "$W"
  FILES=$(tail -c +513 "$DB" | tar -tzf -)
  IFS=: read -r magic _ version sigs flevel _ dsig builder _ < "$W/daily.info"
  INFO="$magic:$DATE:$version:$sigs:$flevel:X:X:$builder:$STIME"
  { echo "$INFO"; tail -n +2 "$W/daily.info"; } > "$W/info.new" && mv "$W/info.new" "$W/daily.info"
  # shellcheck disable=SC2086  # the member names have no spaces
  tar --format=ustar --owner=0 --group=0 --numeric-owner -C "$W" -czf "$W/body.tgz" $FILES
  MD5=$(md5sum < "$W/body.tgz" | cut -d' ' -f1)
  HEAD="$magic:$DATE:$version:$sigs:$flevel:$MD5:$dsig:$builder:$STIME"
  { printf '%-512s' "$HEAD"; cat "$W/body.tgz"; } > "$DB.new"
  chown clamav:clamav "$DB.new"; chmod 0644 "$DB.new"; mv "$DB.new" "$DB" ;;
*) echo "usage: $0 build | age DAYS" >&2; exit 2 ;;
esac
