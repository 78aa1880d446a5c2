#!/bin/sh
# Runs a command with Node.js 24 first on PATH. Uses the machine's node when it
# is already 24 or newer; otherwise installs the `node@24` package from the npm
# registry once into .tools/node24 (no download from anywhere else).
set -e
here=$(cd "$(dirname "$0")" && pwd)
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 24 ]; then
  bin="$here/node24/node_modules/node/bin"
  if [ ! -x "$bin/node" ] || ! "$bin/node" -e 0 2>/dev/null; then
    echo "switchboard: Node $major found, installing Node 24 from the npm registry into .tools/node24 ..." >&2
    mkdir -p "$here/node24"
    npm install --prefix "$here/node24" --no-save --no-package-lock --no-fund --no-audit --loglevel=error node@24 >&2
  fi
  PATH="$bin:$PATH"
  export PATH
fi
exec "$@"
