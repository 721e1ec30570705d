#!/usr/bin/env bash
# The test command: installs what is missing, builds crilet, runs the unit, integration and fault tests with CTest.
#
#   scripts/test.sh                  everything; fault tests in their short form (a few minutes)
#                                    (integration and fault tests need root: they start a private containerd)
#   scripts/test.sh --fault          only the fault suite, in full (50 kill rounds, 1000 churn cycles, ...),
#                                    then every fuzz target for FUZZ_SECONDS (default 60) each
#   scripts/test.sh -L unit          only unit tests (any ctest arguments are passed on)
#   CRILET_SANITIZE=1 scripts/test.sh   the same under AddressSanitizer and UBSan (in build-asan/)
#   CRILET_TSAN=1 scripts/test.sh -L unit   the unit tests under ThreadSanitizer (in build-tsan/)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
fault=0
if [[ ${1:-} == --fault ]]; then
  fault=1
  shift
fi
scripts/setup.sh
if [[ ${CRILET_SANITIZE:-0} == 1 ]]; then export CRILET_BUILD_DIR=${CRILET_BUILD_DIR:-$repo/build-asan}; fi
if [[ ${CRILET_TSAN:-0} == 1 ]]; then export CRILET_BUILD_DIR=${CRILET_BUILD_DIR:-$repo/build-tsan}; fi
build=${CRILET_BUILD_DIR:-$repo/build}
scripts/build.sh
if ((fault)); then
  # The fault tests print what they injected and what they found; RELIABILITY.md collects the numbers.
  (cd "$build" && CRILET_FAULT=full ctest --output-on-failure -V -L fault "$@")
  exec scripts/fuzz.sh --all
fi
cd "$build"
# Integration and fault tests share one containerd lock (RESOURCE_LOCK) and so run one at a time; unit
# tests in parallel.
ctest --output-on-failure --timeout 3600 -j2 "$@"
