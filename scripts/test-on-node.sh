#!/usr/bin/env bash
# Runs the test suite (both engines) under another Node.js major version than the one on PATH:
# the newest release of that major, taken from the npm registry's `node-<platform>-<arch>`
# package (the same binaries as nodejs.org, published as npm packages), so nothing is needed
# beyond npm. The native addon must be built already (npm run build:native); N-API keeps one
# binary good for every Node.js version.
#
#   bash scripts/test-on-node.sh 26
#   bash scripts/test-on-node.sh 26 __test__/zstd.spec.ts   # vitest's filters after the version
set -euo pipefail
cd "$(dirname "$0")/.."

major="${1:?usage: scripts/test-on-node.sh <node major version, e.g. 26>}"
platform=$(node -p 'process.platform === "win32" ? "win" : process.platform')
arch=$(node -p 'process.arch')
package="node-$platform-$arch"

# `npm view pkg@26 version --json` lists every 26.x.y (one alone as a string); take the newest.
version=$(npm view "$package@$major" version --json | node -e '
  const versions = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8")))
  if (versions.length === 0) process.exit(1)
  const parts = (v) => v.split(".").map(Number)
  versions.sort((a, b) => parts(a).reduce((order, n, i) => order || n - parts(b)[i], 0))
  console.log(versions[versions.length - 1])
') || {
  echo "no $package@$major in the npm registry: cannot test on Node.js $major on $platform-$arch" >&2
  exit 1
}

# Kept in node_modules/.cache: ignored by git, and gone with node_modules.
dir="node_modules/.cache/ringstream-node/$version"
if [ ! -x "$dir/package/bin/node" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$package@$version" >/dev/null && tar xzf "$package-$version.tgz" && rm "$package-$version.tgz")
fi
bin="$(pwd)/$dir/package/bin"
echo "Node.js $("$bin/node" --version) from $package@$version"

# vitest's workers run on the `node` that runs vitest, so PATH decides the version under test.
PATH="$bin:$PATH" RINGSTREAM_TEST_ENGINES="${RINGSTREAM_TEST_ENGINES:-ts,native}" "$bin/node" node_modules/vitest/vitest.mjs run "${@:2}"
