#!/usr/bin/env bash
# The test command: installs what is missing, builds crilet, runs the unit and integration tests with CTest.
#
#   scripts/test.sh                  everything (integration tests need root: they start a private containerd)
#   scripts/test.sh -L unit          only unit tests (any ctest arguments are passed on)
#   CRILET_SANITIZE=1 scripts/test.sh   the same under AddressSanitizer and UBSan (in build-asan/)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
scripts/setup.sh
if [[ ${CRILET_SANITIZE:-0} == 1 ]]; then export CRILET_BUILD_DIR=${CRILET_BUILD_DIR:-$repo/build-asan}; fi
build=${CRILET_BUILD_DIR:-$repo/build}
scripts/build.sh
cd "$build"
# Integration tests share one containerd lock (RESOURCE_LOCK) and so run one at a time; unit tests in parallel.
ctest --output-on-failure --timeout 600 -j2 "$@"
