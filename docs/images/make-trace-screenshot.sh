#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Makes docs/images/trace-hello-vcpu.png: the reference guest's boot,
# recorded with `pvctl trace record`, exported with `pvctl trace export
# --format perfetto`, and opened in Debian's Chromium, headless.
#
# ui.perfetto.dev is on the web and Chromium 156 no longer has
# chrome://tracing, so the export is shown in speedscope (an offline
# viewer of the same Chrome Trace Event JSON, from the npm registry),
# driven by playwright-core.  Needs: apt-get install chromium; node and
# npm (the packages are installed under ~/.cache/pvisor-docs).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/docs/images/trace-hello-vcpu.png
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pvisor-docs
work=$(mktemp -d /tmp/pvisor-shot.XXXXXX)
export PVISOR_RUNDIR=$work/run
trap '"$top/build/bin/pvctl" down >/dev/null 2>&1; rm -rf "$work"' EXIT

command -v chromium >/dev/null || { echo "needs Debian's chromium" >&2; exit 1; }
mkdir -p "$cache"
[ -d "$cache/node_modules/speedscope" ] ||
    (cd "$cache" && npm install --no-audit --no-fund playwright-core@1 speedscope@1.25.0 >/dev/null)

"$top/build/bin/pvctl" up --memory 256M >/dev/null
"$top/build/bin/pvctl" trace record -o "$work/hello.trace" -- \
    "$top/build/bin/pvctl" create -c "$top/guests/hello.cfg" >/dev/null
"$top/build/bin/pvctl" trace export "$work/hello.trace" -o "$work/hello.json"

python3 - "$work/hello.json" "$work/profile.js" <<'PY'
import base64, json, sys
data = open(sys.argv[1], "rb").read()
open(sys.argv[2], "w").write("speedscope.loadFileFromBase64(%s, %s)" % (
    json.dumps("hello.json"), json.dumps(base64.b64encode(data).decode())))
PY
cat >"$work/shot.js" <<JS
const { chromium } = require('$cache/node_modules/playwright-core');
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--allow-file-access-from-files'] });
  const page = await browser.newPage({ viewport: { width: 1600, height: 520 } });
  await page.goto('file://$cache/node_modules/speedscope/dist/release/index.html' +
                  '#localProfilePath=$work/profile.js');
  await page.waitForTimeout(3000);
  /* Tracks: CPU 0, domain 0's link vCPU, then the guest's vCPU 0. */
  for (let i = 0; i < 2; i++) { await page.keyboard.press('n'); await page.waitForTimeout(500); }
  await page.waitForTimeout(1000);
  await page.screenshot({ path: '$out' });
  await browser.close();
})();
JS
node "$work/shot.js"
echo "wrote $out"
