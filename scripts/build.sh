#!/usr/bin/env bash
# Configures and builds crilet into build/ (or $CRILET_BUILD_DIR); CRILET_SANITIZE=1 builds with ASan+UBSan,
# CRILET_TSAN=1 with ThreadSanitizer. Arguments name targets to build instead of all (scripts/build.sh crilet).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${CRILET_BUILD_DIR:-$repo/build}
type=${CRILET_BUILD_TYPE:-RelWithDebInfo}
sanitize=OFF
tsan=OFF
[[ ${CRILET_SANITIZE:-0} == 1 ]] && sanitize=ON
[[ ${CRILET_TSAN:-0} == 1 ]] && tsan=ON
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE="$type" -DCRILET_SANITIZE="$sanitize" -DCRILET_TSAN="$tsan" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$build" -j"$(nproc)" "${targets[@]}"
