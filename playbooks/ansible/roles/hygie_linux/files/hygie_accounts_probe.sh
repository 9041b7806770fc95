#!/bin/sh
# hygie_accounts_probe.sh PROBE ARGS... -- read-only, run as root. What the session lock,
# passwords and accounts fixes would change, one tab-separated line each:
#   change<TAB>ARG...   something to change (the fix acts on these)
#   refuse<TAB>TEXT     something the fix must leave alone, and why (shown as a refusal)
# Used by both engines (Ansible `script`, pyinfra `sh -s`), so they act on the same list.
#   modes MAX_MODE GROUPS PATH...   files/dirs above MAX_MODE or not root:GROUP (GROUPS a,b:
#                                   first one when the current group is not listed)
#   homes MAX_MODE                  home dirs (UID >= UID_MIN) above MAX_MODE
#   shells ALLOWED USER             system accounts with a login shell (ALLOWED a,b; never USER)
#   empty USER SUDO_OK              accounts with an empty password (never USER; root only
#                                   when USER is not root and SUDO_OK is yes)
#   root USER SUDO_OK               root's password when usable (refused when USER is root or
#                                   SUDO_OK is not yes); pwconv first when it is in /etc/passwd
#   maxdays LIMIT                   password accounts whose maximum age is not within LIMIT
#   inactive LIMIT                  password accounts whose inactivity period is not within LIMIT
#   tmout MAX_S KEEP                other startup files setting TMOUT to 0 or above MAX_S
#   pwquality KEY                   pwquality.conf or PAM arguments overriding KEY (and, for
#                                   minlen, positive credits)
PATH=/usr/sbin:/usr/bin:/sbin:/bin
tab=$(printf '\t')
probe=$1
shift
change() { (IFS=$tab; printf 'change\t%s\n' "$*"); }
refuse() { printf 'refuse\t%s\n' "$*"; }
uid_min() {
  min=$(awk '$1 == "UID_MIN" { print $2 }' /etc/login.defs 2>/dev/null | tail -n 1)
  case $min in ""|*[!0-9]*) min=1000 ;; esac
  echo "$min"
}
listed() { case ",$2," in *",$1,"*) return 0 ;; esac; return 1; }
today=$(( $(date +%s) / 86400 ))

case $probe in
modes)
  max=$1 groups=$2
  shift 2
  first=${groups%%,*}
  for path in "$@"; do
    { [ -e "$path" ] && [ ! -L "$path" ]; } || continue
    set -- $(stat -c '%a %U %G' -- "$path")
    mode=$(printf '%04o' $(( 0$1 & 0$max )))
    group=$3
    listed "$group" "$groups" || group=$first
    [ "$mode" = "$(printf '%04o' 0$1)" ] && [ "$2" = root ] && [ "$group" = "$3" ] && continue
    change "$path" "$mode" root "$group"
  done
  ;;
homes)
  max=$1
  awk -F: -v min="$(uid_min)" '$3 >= min && $3 != 65534 { print $1 ":" $6 }' /etc/passwd |
  while IFS=: read -r user home; do
    [ -d "$home" ] || continue
    set -- $(stat -c '%a %U' -- "$home")
    mode=$(printf '%04o' $(( 0$1 & 0$max )))
    owner=$2
    shared=$(awk -F: -v h="$home" '$6 == h' /etc/passwd | wc -l)
    case $home in
    /|/*/*) ;;
    *) refuse "$home, home of $user, is a top-level directory: change its mode by hand"; continue ;;
    esac
    if [ "$home" = / ] || [ "$shared" -gt 1 ]; then
      refuse "$home is shared or the root directory: change its mode by hand"
    elif [ "$owner" != "$user" ]; then
      refuse "$home belongs to $owner, not $user: choose its owner by hand"
    elif [ "$mode" != "$(printf '%04o' 0$1)" ]; then
      change "$home" "$mode"
    fi
  done
  ;;
shells)
  allowed=$1 connecting=$2
  awk -F: -v min="$(uid_min)" '($3 < min || $3 == 65534) { print $1 ":" $7 }' /etc/passwd |
  while IFS=: read -r name shell; do
    listed "$name" "$allowed" && continue
    case ${shell:-/bin/sh} in /usr/sbin/nologin|/sbin/nologin|/bin/false|/usr/bin/false) continue ;; esac
    if [ "$name" = "$connecting" ]; then
      refuse "$name is the account this fix connects as: its shell stays ${shell:-/bin/sh}"
    else
      change "$name"
    fi
  done
  ;;
empty)
  connecting=$1 sudo_ok=$2
  awk -F: '$2 == "" { print $1 }' /etc/passwd | grep -q . && change pwconv
  { awk -F: '$2 == "" { print $1 }' /etc/passwd; awk -F: '$2 == "" { print $1 }' /etc/shadow; } |
  sort -u | while read -r name; do
    if [ "$name" = "$connecting" ]; then
      refuse "$name is the account this fix connects as: set its password by hand"
    elif [ "$name" = root ] && [ "$sudo_ok" != yes ]; then
      refuse "root: $connecting could not run sudo -n true, so locking root could lock administrators out"
    else
      change lock "$name"
    fi
  done
  ;;
root)
  connecting=$1 sudo_ok=$2
  in_passwd=$(awk -F: '$1 == "root" { print $2; exit }' /etc/passwd)
  in_shadow=$(awk -F: '$1 == "root" { p = $2; if (p !~ /^[!*]/ && (p == "" || p ~ /^\$[A-Za-z0-9]+\$/ || length(p) == 13)) print "usable"; exit }' /etc/shadow)
  [ "$in_passwd" != x ] || [ -n "$in_shadow" ] || exit 0
  if [ "$connecting" = root ]; then
    refuse "this connection logs in as root: locking root's password could lock it out (connect as an administrator with sudo)"
  elif [ "$sudo_ok" != yes ]; then
    refuse "$connecting could not run sudo -n true: lock root's password by hand once an administrator can use sudo"
  else
    [ "$in_passwd" != x ] && change pwconv
    change lock root
  fi
  ;;
maxdays)
  limit=$1
  awk -F: '{ p = $2; if (p != "" && p !~ /^[!*]/ && (p ~ /^\$[A-Za-z0-9]+\$/ || length(p) == 13)) print $1 ":" $3 ":" $5 }' /etc/shadow |
  while IFS=: read -r name last max; do
    case $max in ""|-*|*[!0-9]*) ;; *) [ "$max" -le "$limit" ] && continue ;; esac
    # an older password would expire at once: sshd then refuses even key logins without a tty
    if [ -z "$last" ] || [ "$last" -eq 0 ] || [ $(( last + limit )) -le "$today" ]; then
      refuse "$name's password is older than $limit days: a maximum age would expire it at once (have $name change it first)"
    else
      change "$name"
    fi
  done
  ;;
inactive)
  limit=$1
  awk -F: '{ p = $2; if (p != "" && p !~ /^[!*]/ && (p ~ /^\$[A-Za-z0-9]+\$/ || length(p) == 13)) print $1 ":" $3 ":" $5 ":" $7 }' /etc/shadow |
  while IFS=: read -r name last max inactive; do
    case $inactive in ""|-*|*[!0-9]*) ;; *) [ "$inactive" -le "$limit" ] && continue ;; esac
    expired=no
    case $max in ""|-*|*[!0-9]*) ;; *) [ $(( ${last:-0} + max )) -lt "$today" ] && expired=yes ;; esac
    if [ "$expired" = yes ] || [ "${last:-0}" -eq 0 ]; then
      refuse "$name's password has expired: an inactivity period could disable the account at once"
    else
      change "$name"
    fi
  done
  ;;
tmout)
  max=$1 keep=$2
  for file in /etc/profile /etc/profile.d/*.sh /etc/bash.bashrc /etc/bashrc; do
    [ -f "$file" ] && [ "$file" != "$keep" ] || continue
    grep -v '^[[:space:]]*#' "$file" | grep -oE '(^|[[:space:];])TMOUT=[0-9]+' | sed 's/.*TMOUT=//' | while read -r value; do
      if [ "$value" -eq 0 ] || [ "$value" -gt "$max" ]; then
        refuse "$file sets TMOUT=$value: remove it by hand (a readonly TMOUT cannot be lowered later)"
      fi
    done
  done
  ;;
pwquality)
  key=$1
  pattern="^[[:space:]]*$key[[:space:]]*="
  [ "$key" = minlen ] && pattern="$pattern|^[[:space:]]*[dulo]credit[[:space:]]*=[[:space:]]*\+?[1-9]"
  grep -qE "$pattern" /etc/security/pwquality.conf 2>/dev/null &&
    refuse "/etc/security/pwquality.conf sets $key (it overrides pwquality.conf.d): remove it by hand"
  pam="$key="
  [ "$key" = minlen ] && pam="$pam|[dulo]credit=\+?[1-9]"
  grep -sE '^[[:space:]]*password.*pam_pwquality\.so' /etc/pam.d/common-password |
    grep -qE "[[:space:]]($pam)" &&
    refuse "the pam_pwquality.so line of /etc/pam.d/common-password sets $key (it overrides the files): remove it by hand"
  ;;
*)
  echo "unknown probe $probe" >&2
  exit 2
  ;;
esac
exit 0
