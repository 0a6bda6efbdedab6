#!/usr/bin/env bash
# Runs the cargo-fuzz targets (frame decoder, value codec, config parser) for SECONDS each
# (default 60). Needs a nightly toolchain; installs cargo-fuzz if missing. Seeds the corpora
# from the shared protocol test vectors and the config fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p fuzz/corpus/frame_decoder fuzz/corpus/value_codec fuzz/corpus/config_parser
cp protocol/tests/vectors/frame_*.bin fuzz/corpus/frame_decoder/ 2>/dev/null || true
cp protocol/tests/vectors/value_*.bin protocol/tests/vectors/object_*.bin fuzz/corpus/value_codec/ 2>/dev/null || true
cp config/tests/fixtures/*.xml fuzz/corpus/config_parser/
for t in frame_decoder value_codec config_parser; do
  echo "== fuzzing $t for ${secs}s"
  cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -max_len=65536
done
