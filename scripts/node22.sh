#!/bin/sh
# Runs "$@" under Node >= 22. These machines ship Node 20, which Hardhat 3 and node:sqlite reject and
# under which npm silently skips Hardhat's native EDR package, so we fetch Node 22 from the npm registry
# into .tools/ (git-ignored) and make sure node_modules was installed by that same Node.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 22 ]; then
  local_node="$root/.tools/node22/node_modules/.bin"
  if [ ! -x "$local_node/node" ]; then
    echo "wg402: system Node is $(node --version 2>/dev/null || echo missing); fetching Node 22 into .tools/node22" >&2
    npm install --prefix "$root/.tools/node22" --no-save --no-audit --no-fund --loglevel=error node@22 >/dev/null
  fi
  PATH="$local_node:$PATH"
  export PATH
  major=$(node -p 'process.versions.node.split(".")[0]')
fi
stamp="$root/node_modules/.wg402-installed"
lock_sum=$(cksum <"$root/package-lock.json")
if [ ! -f "$stamp" ] || [ "$(sed -n 1p "$stamp")" != "node$major" ]; then
  # Fresh clone, or modules built by another Node: a clean install.
  echo "wg402: installing dependencies with Node $(node --version)" >&2
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  printf 'node%s\n%s\n' "$major" "$lock_sum" >"$stamp"
elif [ "$(sed -n 2p "$stamp")" != "$lock_sum" ]; then
  # The lock changed (a pull): update in place. Never `npm ci` here, which would first delete the
  # node_modules that a running `npm start` is using.
  echo "wg402: package-lock.json changed; updating dependencies" >&2
  (cd "$root" && npm install --no-audit --no-fund --loglevel=error)
  printf 'node%s\n%s\n' "$major" "$(cksum <"$root/package-lock.json")" >"$stamp"
fi
exec "$@"
