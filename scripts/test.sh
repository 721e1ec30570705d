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
# Sanitizer settings (a caller's own *_OPTIONS come last and win). A report fails the test: unit tests exit
# non-zero, and tests/integration/lib.sh fails a test on any report file a crilet process wrote.
if [[ ${CRILET_SANITIZE:-0} == 1 ]]; then
  export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
fi
setarch_cmd=()
if [[ ${CRILET_TSAN:-0} == 1 ]]; then
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$repo/tests/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
  # GCC 12's TSan runtime cannot map its shadow memory when the kernel randomizes mmap with more bits than it
  # knows (vm.mmap_rnd_bits > 28 on newer kernels): every instrumented binary dies at start with "unexpected
  # memory mapping". Then run the tests with address randomization off for them (children inherit it).
  if "$build/unit_tests" --list-test-names-only 2>&1 >/dev/null | grep -q "unexpected memory mapping"; then
    setarch_cmd=(setarch "$(uname -m)" -R)
    echo "test.sh: TSan cannot map its shadow with this kernel's ASLR (vm.mmap_rnd_bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null)); running under ${setarch_cmd[*]}"
    "${setarch_cmd[@]}" "$build/unit_tests" --list-test-names-only >/dev/null ||
      { echo "test.sh: TSan still fails under setarch -R; lower vm.mmap_rnd_bits to 28 (sysctl vm.mmap_rnd_bits=28)" >&2; exit 1; }
  fi
fi
if ((fault)); then
  # The fault tests print what they injected and what they found; RELIABILITY.md collects the numbers.
  (cd "$build" && CRILET_FAULT=full "${setarch_cmd[@]}" ctest --output-on-failure -V -L fault "$@")
  exec scripts/fuzz.sh --all
fi
cd "$build"
# Integration and fault tests share one containerd lock (RESOURCE_LOCK) and so run one at a time; unit
# tests in parallel.
"${setarch_cmd[@]}" ctest --output-on-failure --timeout 3600 -j2 "$@"
