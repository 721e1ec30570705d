#!/usr/bin/env bash
# Builds crilet's libFuzzer targets with clang (ASan+UBSan) and runs them on their seed corpora.
#
#   scripts/fuzz.sh                  the manifest parser, 60 seconds
#   scripts/fuzz.sh --all            every target, FUZZ_SECONDS (60) each: manifest, h2_answer (the gRPC/HTTP2
#                                    answer path of exec probes), jsonpath (get -o jsonpath/custom-columns),
#                                    spdy_frame (what the streaming server sends exec, attach, port-forward)
#   scripts/fuzz.sh TARGET...        the named targets
#   FUZZ_SECONDS=600 scripts/fuzz.sh --all
#
# Seeds are in fuzz/corpus/<target>/ (fuzz/make_seeds.py writes the generated ones) and stay as they are; new
# inputs libFuzzer finds go to build-fuzz/corpus/<target>/. A crash, leak or hang leaves crash-*, leak-* or
# timeout-* files in build-fuzz/ and a non-zero exit status (the first failing target's).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
all_targets=(manifest h2_answer jsonpath spdy_frame)
targets=(manifest)
if [[ ${1:-} == --all ]]; then
  targets=("${all_targets[@]}")
elif (($# > 0)); then
  targets=("$@")
fi
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target $t (one of: ${all_targets[*]})" >&2; exit 2; }
done
CRILET_SETUP_EXTRA=fuzz scripts/setup.sh
build=$repo/build-fuzz
cmake -S . -B "$build" -DCRILET_FUZZ=ON -DCRILET_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/%/_fuzzer}" >/dev/null
cd "$build"
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  echo "fuzz: $t for ${FUZZ_SECONDS:-60}s"
  # -rss_limit_mb and -timeout hold each parser to the promise of bounded memory and a prompt answer.
  rc=0
  "fuzz/${t}_fuzzer" -max_total_time="${FUZZ_SECONDS:-60}" -rss_limit_mb=512 -timeout=2 -max_len=65536 \
    -print_final_stats=1 "corpus/$t" "$repo/fuzz/corpus/$t" || rc=$?
  if ((rc != 0)); then
    echo "fuzz: $t FAILED (exit $rc); see crash-*/leak-*/timeout-* in $build"
    ((status == 0)) && status=$rc
  fi
done
exit "$status"
