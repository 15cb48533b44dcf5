#!/usr/bin/env bash
# A bounded fuzz run of every target, as CI runs it: a few seconds each, with the sanitizer off
# because only a stable toolchain is available (RUSTC_BOOTSTRAP lets cargo-fuzz pass its flags).
# Longer runs: FUZZ_SECONDS=600 bash fuzz/run-bounded.sh
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-15}"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi
echo "== lint the fuzz targets (a workspace of their own, which the root's checks leave out)"
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for target in parsers jsonl_vs_serde_json csv_vs_csv_crate columns_vs_json_text decoders; do
  echo "== fuzz $target for ${seconds}s"
  # The working corpus (git-ignored) grows from the checked-in seeds, where a target has any.
  corpora=("corpus/$target")
  mkdir -p "corpus/$target"
  [ -d "seeds/$target" ] && corpora+=("seeds/$target")
  if ! RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none -O "$target" "${corpora[@]}" -- \
    -max_total_time="$seconds" -max_len=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz target $target failed; a crashing input is saved under fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E "^(Done|stat::number_of_executed_units)" "$log" || true
done
