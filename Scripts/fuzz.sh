#!/usr/bin/env bash
# Runs a libFuzzer target for a set time, seeded with the sample study and the test fixtures:
#   ingest   the ingest readers (DOCX, ODT, RTF, TEI, TRS, EAF, VTT, SRT, text, participants.csv)
#   parsers  the pipeline and lexicon parsers (YAML, LIWC) and the matcher
#   Scripts/fuzz.sh [SECONDS] [ingest|parsers]        (default 120 ingest)
# Crashes are written to .build-fuzz/crashes/; each one found becomes a regression fixture in
# the tests (named fuzz-*) with a test case.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
target=${2:-ingest}
# SwiftPM keeps its plan of a path dependency's sources: without this, a source file added to
# the main package since the last fuzz build is not seen ("cannot find 'X' in scope").
rm -f .build-fuzz/debug/description.json .build-fuzz/x86_64-unknown-linux-gnu/debug/description.json
(cd Fuzz && swift build --scratch-path ../.build-fuzz -Xswiftc -sanitize=fuzzer,address)
seeds=.build-fuzz/seeds-$target
mkdir -p "$seeds" .build-fuzz/crashes
if [ "$target" = parsers ]; then
python3 - "$seeds" <<'PY'
import os, sys
seeds = sys.argv[1]
# The first byte chooses the parser (see Fuzz/Sources/FuzzParsers): 0 pipeline, 1 lexicon YAML, 2 LIWC, 3 lexicon + matcher.
liwc = "%\n1\thype\n2\ttime\n%\nhype*\t1\nprotected\t2\n"
files = [("Pipelines/ai-doctors.yaml", 0), ("Pipelines/bench.yaml", 0), ("Pipelines/lexicons/ai-doctors.yaml", 1),
         ("Pipelines/lexicons/ai-doctors.yaml", 3)]
for index, (path, selector) in enumerate(files):
    with open(path, "rb") as source, open(os.path.join(seeds, "seed-%d" % index), "wb") as target:
        target.write(bytes([selector]) + source.read())
with open(os.path.join(seeds, "seed-liwc"), "wb") as target:
    target.write(bytes([2]) + liwc.encode())
PY
.build-fuzz/debug/FuzzParsers "$seeds" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix=.build-fuzz/crashes/ -print_final_stats=1 ${FUZZ_FLAGS:-}
exit
fi
python3 - "$seeds" <<'PY'
import os, sys
seeds = sys.argv[1]
# The first byte chooses the reader (see Fuzz/Sources/FuzzIngest): 0 docx, 1 xml, 2 trs, 3 eaf, 4 vtt, 5 txt, 6 csv,
# 7 srt, 8 odt, 9 rtf.
files = [("Corpora/ai-doctors/interview-05.docx", 0), ("Tests/IngestTests/Fixtures/word-features.docx", 0),
         ("Corpora/ai-doctors/interview-07.xml", 1), ("Corpora/ai-doctors/interview-08.trs", 2),
         ("Corpora/ai-doctors/interview-09.eaf", 3), ("Corpora/ai-doctors/interview-10.vtt", 4),
         ("Corpora/ai-doctors/interview-11.txt", 5), ("Corpora/ai-doctors/participants.csv", 6),
         ("Tests/IngestTests/Fixtures/word-features.odt", 8), ("Tests/IngestTests/Fixtures/interview-02.odt", 8),
         ("Tests/IngestTests/Fixtures/word-features.rtf", 9), ("Tests/IngestTests/Fixtures/interview-02.rtf", 9)]
for index, (path, selector) in enumerate(files):
    with open(path, "rb") as source, open(os.path.join(seeds, "seed-%d" % index), "wb") as target:
        target.write(bytes([selector]) + source.read())
srt = "1\n00:00:01,000 --> 00:00:03,500\nHelen Carter: How did you <i>start</i>?\n\n2\n00:00:04,000 --> 00:00:06,000\nP10: By &amp; by.\n"
with open(os.path.join(seeds, "seed-srt"), "wb") as target:
    target.write(bytes([7]) + srt.encode())
# Header lines of transcription tools (LineSegmenter's layouts), one of each.
layouts = ("00:00:01 Speaker 1\nThanks.\n[00:00:05] - Jane S.\nFine.\nSpeaker 1 [00:00:09]\nAnd?\n"
           "[Jane S.] 14:02:33\nYes.\n**Jane S.** (00:01:02)\nQ. How?\nA. Well.\nJANE SMITH\n00:01:05\nOK.\n"
           "Jane Smith: [00:01:07] So.\nInterviewer - I - I think.\nP3 \u2013 Sure.\nQ1: Why?\nA1. Time.\n"
           "1. Interviewer: And?\n2) P3 - GP: No.\n")
with open(os.path.join(seeds, "seed-layouts"), "wb") as target:
    target.write(bytes([5]) + layouts.encode())
# RTF bytes in code pages: by the document's, by a font's character set, double-byte pairs.
codepages = (r"{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0\fcharset204 A;}{\f1\fcharset238 B;}{\f2\fcharset128 C;}}"
             r"\f0 P1: \'cf\'f0 {\f1 \'b9\'e6} {\f2 \'82\'a0\'96\{} \plain\'e0\par}")
with open(os.path.join(seeds, "seed-codepages"), "wb") as target:
    target.write(bytes([9]) + codepages.encode())
# Notes in single parentheses, kept or skipped by the tokeniser the ingest test also runs.
with open(os.path.join(seeds, "seed-notes"), "wb") as target:
    target.write(bytes([5]) + "P1: So (laughs) the (long pause) (I: mhm) (unv.) (the ward) #00:01:02-0#\n".encode())
PY
.build-fuzz/debug/FuzzIngest "$seeds" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix=.build-fuzz/crashes/ -print_final_stats=1 ${FUZZ_FLAGS:-}
