#!/usr/bin/env bash
# Debian packages the test suite needs on the machine (not on PyPI/npm). Installs the missing ones
# when run as root; otherwise names them and fails, so a test never silently skips for lack of them.
set -euo pipefail

# package:command-or-file that proves it is installed
REQUIRED=(
  "gettext:/usr/bin/msgfmt"
  # The P0 push test runs real workers against a real Redis queue (RedisHuey, several nodes).
  "redis-server:/usr/bin/redis-server"
  "chromium:/usr/bin/chromium"
  "fonts-wqy-microhei:/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
  "dovecot-imapd:/usr/sbin/dovecot"
)

missing=()
for entry in "${REQUIRED[@]}"; do
  package=${entry%%:*}
  probe=${entry#*:}
  [ -e "$probe" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
