#!/usr/bin/env bash
# Compile the gettext catalogues (.po → .mo) when one is missing or stale. Tolerates a tree without
# translations yet (gongdan/locale/ is created by the i18n work).
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t catalogues < <(find gongdan -path '*/locale/*/LC_MESSAGES/*.po' -type f | sort)
if [ "${#catalogues[@]}" -eq 0 ]; then
  echo "compilemessages: no translation catalogues under gongdan/ yet, skipped"
  exit 0
fi
for po in "${catalogues[@]}"; do
  mo="${po%.po}.mo"
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
    exec .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=var --ignore=.git
  fi
done
