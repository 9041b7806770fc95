# Which time synchronisation service a fix should use, read-only: prints one line,
# "<daemon> <unit> <container|host>" for the installed one (chrony first, then
# systemd-timesyncd, then the ntp daemons), or "none - <container|host>" when none is.
# A container's clock is its host's: systemd does not start chrony there (no CAP_SYS_TIME).
where=host
systemd-detect-virt --container >/dev/null 2>&1 && where=container
for pair in chrony:chrony.service chrony:chronyd.service timesyncd:systemd-timesyncd.service \
  ntp:ntpsec.service ntp:ntp.service ntp:ntpd.service ntp:openntpd.service; do
  unit=${pair#*:}
  if systemctl list-unit-files --no-legend "$unit" 2>/dev/null | grep -q "^$unit"; then
    echo "${pair%%:*} $unit $where"
    exit 0
  fi
done
echo "none - $where"
