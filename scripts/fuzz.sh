#!/usr/bin/env bash
# Builds the manifest parser's libFuzzer target with clang (ASan+UBSan) and runs it on the seed corpus.
#
#   scripts/fuzz.sh              60 seconds
#   FUZZ_SECONDS=600 scripts/fuzz.sh
#
# New inputs libFuzzer finds go to build-fuzz/corpus (the seeds in fuzz/corpus stay as they are); a crash
# or a hang leaves crash-*/timeout-* files in build-fuzz/ and a non-zero exit status.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
CRILET_SETUP_EXTRA=fuzz scripts/setup.sh
build=$repo/build-fuzz
cmake -S . -B "$build" -DCRILET_FUZZ=ON -DCRILET_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build "$build" --target manifest_fuzzer -j"$(nproc)" >/dev/null
mkdir -p "$build/corpus"
cd "$build"
# -rss_limit_mb and -timeout hold the parser to the promise of bounded memory and a prompt answer.
fuzz/manifest_fuzzer -max_total_time="${FUZZ_SECONDS:-60}" -rss_limit_mb=512 -timeout=2 -max_len=65536 \
  corpus "$repo/fuzz/corpus"
