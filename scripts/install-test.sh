#!/usr/bin/env bash
# shellcheck disable=SC2016 # single-quoted JavaScript below holds template literals, not shell expansions
# Install test: ringstream installed the way a user gets it from the registry.
#
# Packs the root package and this platform's binary package (npm/<platform>/ with the built
# .node copied into a temporary copy), gives the root package the optionalDependencies that
# `napi prepublish -t npm` adds at publish time, installs both tarballs into an empty project
# with no network (`npm install --offline`) and no Rust toolchain on PATH, and checks:
#   - require('ringstream') and import('ringstream') work;
#   - a pipeline over a generated file runs on the native engine, loaded from the platform package;
#   - without the platform package, the same pipeline gives the same result on the TS engine,
#     after exactly one notice naming the platform and RINGSTREAM_ENGINE=ts.
# Prints the installed sizes. Leaves nothing behind in the repository.
#
# Needs `npm run build` and `npm run build:native` first (.ci/run has done both by the time it
# calls this); `--build` runs them here. Usage: bash scripts/install-test.sh [--build]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$SECONDS

fail() {
  echo "install-test: FAIL: $*" >&2
  exit 1
}
step() { echo "-- $*"; }

if [[ ${1:-} == --build ]]; then
  npm run build
  npm run build:native
elif [[ $# -gt 0 ]]; then
  fail "unknown argument '$1' (usage: bash scripts/install-test.sh [--build])"
fi

# The platform as the napi-rs loader names it: linux-x64-gnu, darwin-arm64, win32-x64-msvc, …
platform=$(node -e '
  const { platform, arch } = process
  const abi = platform === "linux" ? (process.report.getReport().header.glibcVersionRuntime ? "-gnu" : "-musl")
    : platform === "win32" ? "-msvc" : ""
  console.log(`${platform}-${arch}${abi}`)')
node_platform=$(node -p '`${process.platform}-${process.arch}`')
version=$(node -p 'require("./package.json").version')
binary="native/ringstream.$platform.node"
platform_package="ringstream-$platform"

[[ -f npm/$platform/package.json ]] || fail "no npm/$platform/package.json: this platform has no binary package"
for built in dist/index.js dist/index.mjs dist/index.d.ts native/binding.js "$binary"; do
  [[ -f $built ]] || fail "$built is missing: run \`npm run build && npm run build:native\` first (or pass --build)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ringstream-install-test-XXXXXX")
# RINGSTREAM_INSTALL_TEST_KEEP=1 keeps the temporary folder (tarballs, app, logs) to look into.
if [[ ${RINGSTREAM_INSTALL_TEST_KEEP:-} == 1 ]]; then
  trap 'echo "   kept $tmp"' EXIT
else
  trap 'rm -rf "$tmp"' EXIT
fi
mkdir -p "$tmp/pack" "$tmp/publish" "$tmp/app"

step "pack ringstream@$version"
# --ignore-scripts: `prepare` would rebuild dist/ in the working tree; the build is done already.
root_tgz=$(npm pack --ignore-scripts --silent --pack-destination "$tmp/pack" | tail -n 1)
root_tgz="$tmp/pack/$root_tgz"
[[ -f $root_tgz ]] || fail "npm pack did not write the root tarball"
tar -tzf "$root_tgz" >"$tmp/root-files.txt"
for expected in package/package.json package/dist/index.js package/dist/index.mjs package/dist/index.d.ts \
  package/native/binding.js package/native/binding.d.ts package/README.md package/LICENSE package/CHANGELOG.md; do
  grep -qx "$expected" "$tmp/root-files.txt" || fail "the root tarball lacks $expected"
done
if grep -E '\.node$' "$tmp/root-files.txt"; then
  fail "the root tarball carries a .node binary (above); binaries belong in the npm/<platform> packages"
fi

step "make it the package the release workflow publishes"
# What .github/workflows/release.yml does before `npm publish`: `napi prepublish -t npm` adds
# optionalDependencies by its rule { "<napi package name>-<platform>": "<version>" } for every
# napi target (checked here against npm/*/package.json and the generated loader), and
# `npm pkg delete scripts.prepare` drops the dev-only build hook, which npm would otherwise list
# to every user as an install script awaiting approval.
mkdir -p "$tmp/stage"
tar -xzf "$root_tgz" -C "$tmp/stage"
if ! node - "$repo" "$tmp/stage/package/package.json" <<'EOF'
const fs = require('node:fs')
const path = require('node:path')
const [repo, stagedPath] = process.argv.slice(2)
const pkg = JSON.parse(fs.readFileSync(stagedPath, 'utf8'))
const loader = fs.readFileSync(path.join(repo, 'native', 'binding.js'), 'utf8')
const baseName = pkg.napi?.package?.name ?? pkg.name
const problems = []
const optional = {}
const dirs = fs.readdirSync(path.join(repo, 'npm')).filter((d) => fs.existsSync(path.join(repo, 'npm', d, 'package.json')))
if (dirs.length !== pkg.napi.triples.additional.length) problems.push(`npm/ has ${dirs.length} packages for ${pkg.napi.triples.additional.length} napi targets`)
for (const dir of dirs) {
  const sub = JSON.parse(fs.readFileSync(path.join(repo, 'npm', dir, 'package.json'), 'utf8'))
  if (sub.name !== `${baseName}-${dir}`) problems.push(`npm/${dir} is named ${sub.name}, expected ${baseName}-${dir}`)
  if (sub.version !== pkg.version) problems.push(`npm/${dir} is at ${sub.version}, the root at ${pkg.version}`)
  if (sub.main !== `${pkg.napi.name}.${dir}.node` || !sub.files?.includes(sub.main)) problems.push(`npm/${dir}: main/files do not name ${pkg.napi.name}.${dir}.node`)
  if (!loader.includes(`require('${sub.name}')`)) problems.push(`native/binding.js never requires '${sub.name}'`)
  optional[sub.name] = pkg.version
}
if (problems.length > 0) {
  console.error(problems.map((p) => `  ${p}`).join('\n'))
  process.exit(1)
}
pkg.optionalDependencies = optional
delete pkg.scripts.prepare
const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'].filter((name) => pkg.scripts[name] !== undefined)
if (installScripts.length > 0) {
  console.error(`  the published package.json would run ${installScripts.join(', ')} at install`)
  process.exit(1)
}
fs.writeFileSync(stagedPath, JSON.stringify(pkg, null, 2) + '\n')
console.log(`   ${Object.keys(optional).length} optionalDependencies: ${Object.keys(optional).join(', ')}`)
EOF
then
  fail "npm/*/package.json do not match the napi config or the loader (above)"
fi
root_tgz="$tmp/publish/$(cd "$tmp/stage/package" && npm pack --ignore-scripts --silent --pack-destination "$tmp/publish" | tail -n 1)"
[[ -f $root_tgz ]] || fail "npm pack of the publish-shaped root package failed"

step "pack $platform_package@$version"
cp -R "npm/$platform" "$tmp/platform-package"
cp "$binary" "$tmp/platform-package/"
platform_tgz="$tmp/pack/$(cd "$tmp/platform-package" && npm pack --ignore-scripts --silent --pack-destination "$tmp/pack" | tail -n 1)"
[[ -f $platform_tgz ]] || fail "npm pack of npm/$platform failed"
tar -tzf "$platform_tgz" | grep -qx "package/ringstream.$platform.node" || fail "$platform_package's tarball lacks ringstream.$platform.node"

# A PATH without Rust: drop ~/.cargo/bin and every directory holding cargo, rustc or rustup.
clean_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
  [[ -z $dir || $dir == "$HOME/.cargo/bin" || $dir == */.cargo/bin ]] && continue
  [[ -x $dir/cargo || -x $dir/rustc || -x $dir/rustup ]] && continue
  clean_path="${clean_path:+$clean_path:}$dir"
done
# No network: a network namespace of its own where the system allows one (root, or user
# namespaces), on top of npm --offline.
netns=()
if unshare -n true 2>/dev/null; then
  netns=(unshare -n)
elif unshare -rn true 2>/dev/null; then
  netns=(unshare -rn)
fi
network="npm --offline${netns[0]:+, in a network namespace with no interfaces (${netns[*]})}"
# Everything the user side runs goes through `user`: no Rust, no network, no engine choice.
user() {
  (cd "$tmp/app" && ${netns[@]+"${netns[@]}"} env -u CARGO_HOME -u RUSTUP_HOME -u RINGSTREAM_ENGINE \
    -u RINGSTREAM_TEST_ENGINES -u RINGSTREAM_DATA PATH="$clean_path" "$@")
}
user sh -c 'command -v cargo' >/dev/null && fail "cargo is still on the user PATH ($clean_path)"
user sh -c 'command -v rustc' >/dev/null && fail "rustc is still on the user PATH ($clean_path)"
user sh -c 'command -v node && command -v npm' >/dev/null || fail "node/npm are not on the PATH without Rust ($clean_path)"

step "cache the runtime dependencies, so the offline install can resolve them"
# The repo's own `npm install` follows the lock file, which caches the tarballs but not the
# registry documents an install of a version *range* needs; `npm cache add` stores both. This is
# the one step here that uses the network (the registry), and only before the user side runs.
runtime_deps=$(node -p 'Object.keys(require("./package.json").dependencies ?? {}).map((name) => `${name}@${require(`./node_modules/${name}/package.json`).version}`).join(" ")')
for dependency in $runtime_deps; do
  npm cache add --loglevel=error "$dependency" || fail "npm cache add $dependency failed: the registry must be reachable for this step"
done

step "install both tarballs into an empty project, offline, without Rust"
printf '{ "name": "ringstream-install-test-app", "version": "1.0.0", "private": true }\n' >"$tmp/app/package.json"
# Both at once, so the root's optionalDependency on $platform_package is met by the local
# tarball. --offline: npm answers from its cache only (the runtime dependencies are there, cached
# above); the other platforms' optional packages are not cached and are skipped.
if ! user npm install --offline --no-audit --no-fund --loglevel=error "$platform_tgz" "$root_tgz" >"$tmp/npm-install.log" 2>&1; then
  cat "$tmp/npm-install.log" >&2
  fail "npm install --offline of the two tarballs failed (above); is every runtime dependency in the npm cache ($runtime_deps)?"
fi
[[ -d $tmp/app/node_modules/ringstream && -d $tmp/app/node_modules/$platform_package ]] ||
  fail "npm install did not install ringstream and $platform_package: $(ls "$tmp/app/node_modules")"
for other in "$tmp"/app/node_modules/ringstream-*; do
  [[ $(basename "$other") == "$platform_package" ]] || fail "npm installed another platform's package: $other"
done
ls "$tmp/app/node_modules/ringstream/native/"*.node >/dev/null 2>&1 && fail "the installed ringstream carries a .node of its own"

# The data: 20 000 JSON Lines records, one of them broken (a skipped item error).
node -e '
  const lines = []
  for (let i = 0; i < 20000; i++) lines.push(JSON.stringify({ id: i, status: [200, 200, 404, 500, 503][i % 5], bytes: (i * 7919) % 10007, path: `/p/${i % 13}` }))
  lines[4321] = "{\"id\": 4321, broken"
  require("fs").writeFileSync(process.argv[1], lines.join("\n") + "\n")' "$tmp/app/events.jsonl"

# One pipeline, checked against a plain JSON.parse pass over the same file.
cat >"$tmp/app/check.cjs" <<'EOF'
const fs = require('node:fs')
const path = require('node:path')
const expectedEngine = process.argv[2]
const file = path.join(__dirname, 'events.jsonl')
const fail = (message) => {
  console.error(`check.cjs: ${message}`)
  process.exit(1)
}
// On glibc Linux the binary loads without the diagnostic report the generated loader asks for
// (ts/engine/load-binding.ts): count the reports.
let reports = 0
const getReport = process.report.getReport.bind(process.report)
process.report.getReport = (...args) => (reports++, getReport(...args))
const glibcLinux = process.platform === 'linux' && fs.existsSync('/usr/bin/ldd') && !fs.readFileSync('/usr/bin/ldd', 'latin1').includes('musl')

const plain = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).flatMap((line) => {
  try { return [JSON.parse(line)] } catch { return [] }
})
const expected = plain.filter((r) => r.status >= 500).map((r) => ({ id: r.id, kb: r.bytes / 1024 }))
const expectedSum = expected.reduce((sum, r) => sum + r.kb, 0)

const resolved = require.resolve('ringstream')
if (!resolved.startsWith(path.join(__dirname, 'node_modules', 'ringstream') + path.sep)) fail(`require('ringstream') resolved to ${resolved}`)
const { stream } = require('ringstream')

;(async () => {
  const pipeline = (options) => stream(file, { onError: 'skip', ...options }).filter((r) => r.status >= 500).transform((r) => ({ id: r.id, kb: r.bytes / 1024 }))
  const meta = await stream(file).metadata()
  if (meta.engine !== expectedEngine) fail(`metadata().engine is ${meta.engine}, expected ${expectedEngine}`)
  const records = await pipeline().toArray()
  if (JSON.stringify(records) !== JSON.stringify(expected)) fail(`the pipeline gave ${records.length} records, expected ${expected.length}`)
  let sum = 0
  let count = 0
  for (const r of pipeline()) {
    sum += r.kb
    count++
  }
  if (count !== expected.length || Math.abs(sum - expectedSum) > 1e-6) fail(`for…of gave ${count} records summing to ${sum}`)
  if (expectedEngine === 'native') {
    const forced = await pipeline({ engine: 'native' }).count()
    if (forced !== expected.length) fail(`{ engine: 'native' } counted ${forced}`)
    if (glibcLinux && reports !== 0) fail(`loading the native engine made ${reports} diagnostic report(s)`)
  } else {
    const error = await pipeline({ engine: 'native' }).count().then(() => null, (e) => e)
    if (error?.code !== 'ERR_UNSUPPORTED') fail(`{ engine: 'native' } without the binary gave ${error?.code ?? 'no error'}`)
  }
  console.log(JSON.stringify({ engine: meta.engine, records: count, kb: Math.round(sum) }))
})().catch((error) => fail(error?.stack ?? String(error)))
EOF
cat >"$tmp/app/check.mjs" <<'EOF'
import { fileURLToPath } from 'node:url'
const { stream } = await import('ringstream')
if (typeof stream !== 'function') throw new Error("import('ringstream') has no stream()")
const file = fileURLToPath(new URL('./events.jsonl', import.meta.url))
const records = await stream(file, { onError: 'skip' }).filter((r) => r.status >= 500).count()
const { engine } = await stream(file).metadata()
console.log(JSON.stringify({ engine, records }))
EOF

run_check() { # <expected engine> <label> [env…]: both checks; $tmp/<label>.{cjs,mjs}.{out,err}
  local engine=$1 label=$2
  shift 2
  user env "$@" node check.cjs "$engine" >"$tmp/$label.cjs.out" 2>"$tmp/$label.cjs.err" ||
    { cat "$tmp/$label.cjs.err" >&2; fail "require('ringstream') check on the $engine engine failed ($label)"; }
  user env "$@" node check.mjs >"$tmp/$label.mjs.out" 2>"$tmp/$label.mjs.err" ||
    { cat "$tmp/$label.mjs.err" >&2; fail "import('ringstream') check failed ($label)"; }
  grep -q "\"engine\":\"$engine\"" "$tmp/$label.mjs.out" || fail "import('ringstream') ran on $(cat "$tmp/$label.mjs.out"), expected $engine"
}

step "require/import and a pipeline on the native engine"
run_check native native
cat "$tmp"/native.*.err | grep -q RINGSTREAM_NATIVE_UNAVAILABLE &&
  { cat "$tmp"/native.*.err >&2; fail "a fallback notice although the binary is installed"; }
native_result=$(cat "$tmp/native.cjs.out")
echo "   require: $native_result"
echo "   import:  $(cat "$tmp/native.mjs.out")"
# ringstream's native/ has no .node (checked above), so the loader took it from here:
binary_from=$(user node -p 'require.resolve(process.argv[1], { paths: [require.resolve("ringstream")] })' "$platform_package")
[[ $binary_from == "$tmp/app/node_modules/$platform_package/ringstream.$platform.node" ]] ||
  fail "$platform_package resolves to $binary_from"

size_root=$(du -sh "$tmp/app/node_modules/ringstream" | cut -f1)
size_platform=$(du -sh "$tmp/app/node_modules/$platform_package" | cut -f1)
size_all=$(du -sh "$tmp/app/node_modules" | cut -f1)
tgz_root=$(du -h "$root_tgz" | cut -f1)
tgz_platform=$(du -h "$platform_tgz" | cut -f1)

step "without $platform_package: the TS engine after one notice"
rm -rf "$tmp/app/node_modules/$platform_package"
run_check ts fallback
# Exactly one notice in each process (check.cjs runs four pipelines, check.mjs two).
for kind in cjs mjs; do
  notices=$(grep -c RINGSTREAM_NATIVE_UNAVAILABLE "$tmp/fallback.$kind.err" || true)
  [[ $notices == 1 ]] || { cat "$tmp/fallback.$kind.err" >&2; fail "check.$kind printed $notices fallback notices, expected 1"; }
done
notice=$(grep -m1 RINGSTREAM_NATIVE_UNAVAILABLE "$tmp/fallback.cjs.err")
[[ $notice == *"$node_platform"* ]] || fail "the notice does not name the platform $node_platform: $notice"
[[ $notice == *RINGSTREAM_ENGINE=ts* ]] || fail "the notice does not say how to silence it (RINGSTREAM_ENGINE=ts): $notice"
fallback_result=$(cat "$tmp/fallback.cjs.out")
[[ ${fallback_result/\"ts\"/} == "${native_result/\"native\"/}" ]] ||
  fail "the TS engine gave $fallback_result, the native engine $native_result"
echo "   require: $fallback_result"
echo "   notice:  $notice"
run_check ts silenced RINGSTREAM_ENGINE=ts
cat "$tmp"/silenced.*.err | grep -q RINGSTREAM_NATIVE_UNAVAILABLE &&
  { cat "$tmp"/silenced.*.err >&2; fail "RINGSTREAM_ENGINE=ts did not silence the notice"; }
echo "   RINGSTREAM_ENGINE=ts: same result, no notice"

cat <<EOF
== install test passed ($((SECONDS - started)) s) on $platform, node $(node --version), npm $(npm --version 2>/dev/null)
   tarballs:  ringstream-$version.tgz $tgz_root, $platform_package-$version.tgz $tgz_platform
   installed: node_modules/ringstream $size_root, node_modules/$platform_package $size_platform, node_modules in all $size_all
   no network ($network), no Rust on PATH; native engine from $platform_package; TS engine with one notice without it
EOF
