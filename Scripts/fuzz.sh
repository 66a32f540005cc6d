#!/usr/bin/env bash
# Runs the libFuzzer target over the ingest readers (DOCX, TEI, TRS, EAF, VTT, text,
# participants.csv) for a set time, seeded with the sample study and the test fixtures.
#   Scripts/fuzz.sh [SECONDS]        (default 120)
# Crashes are written to .build-fuzz/crashes/; each one found becomes a regression fixture in
# Tests/IngestTests/Fixtures (named fuzz-*) with a test case.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
(cd Fuzz && swift build --scratch-path ../.build-fuzz -Xswiftc -sanitize=fuzzer,address)
seeds=.build-fuzz/seeds
mkdir -p "$seeds" .build-fuzz/crashes
python3 - "$seeds" <<'PY'
import os, sys
seeds = sys.argv[1]
# The first byte chooses the reader (see Fuzz/Sources/FuzzIngest): 0 docx, 1 xml, 2 trs, 3 eaf, 4 vtt, 5 txt, 6 csv.
files = [("Corpora/ai-doctors/interview-05.docx", 0), ("Tests/IngestTests/Fixtures/word-features.docx", 0),
         ("Corpora/ai-doctors/interview-07.xml", 1), ("Corpora/ai-doctors/interview-08.trs", 2),
         ("Corpora/ai-doctors/interview-09.eaf", 3), ("Corpora/ai-doctors/interview-10.vtt", 4),
         ("Corpora/ai-doctors/interview-11.txt", 5), ("Corpora/ai-doctors/participants.csv", 6)]
for index, (path, selector) in enumerate(files):
    with open(path, "rb") as source, open(os.path.join(seeds, "seed-%d" % index), "wb") as target:
        target.write(bytes([selector]) + source.read())
PY
.build-fuzz/debug/FuzzIngest "$seeds" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix=.build-fuzz/crashes/ -print_final_stats=1 ${FUZZ_FLAGS:-}
