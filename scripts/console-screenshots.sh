#!/usr/bin/env bash
# Regenerates the console's screenshots in docs/console/*.png: every enabled browser scenario of
# scripts/lib/console_browser.py (headless Chromium through Selenium), each against a fresh `gstacks server
# --embedded-agent` (a fresh server per scenario: the sign-in throttle counts every sign-in from 127.0.0.1).
#
#   scripts/console-screenshots.sh [SCENARIO...]     # default: every enabled scenario
#
# Environment: GSTACKS_BIN [.build/debug/gstacks; build it first]  SCREENSHOT_DIR [docs/console]
# Needs Debian's chromium and chromium-driver; installs selenium into .venv-browser.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/gstacks-server.sh
source scripts/lib/gstacks-server.sh

BIN=${GSTACKS_BIN:-.build/debug/gstacks}
OUT=${SCREENSHOT_DIR:-docs/console}
export GSTACKS_ADMIN_EMAIL=screenshots@example.com GSTACKS_ADMIN_PASSWORD
GSTACKS_ADMIN_PASSWORD=$(gs_random_secret)
python3 scripts/lib/console_browser.py setup >/dev/null
python3 scripts/lib/console_browser.py check
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gstacks-screenshots.XXXXXX")
trap 'gs_server_stop; rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

scenarios=("$@")
[[ ${#scenarios[@]} -gt 0 ]] || mapfile -t scenarios < <(python3 scripts/lib/console_browser.py list)
for name in "${scenarios[@]}"; do
    gs_server_start "$BIN" "$WORK/server-$name.log" --data-dir "$WORK/data-$name" --bcrypt-cost 4 --log-level warning --embedded-agent
    python3 scripts/lib/console_browser.py run --base-url "$GS_BASE_URL" --screenshots "$OUT" "$name"
    gs_server_stop
done
rm -f "$OUT"/FAILED-*.png
echo "screenshots in $OUT:" && ls "$OUT"
