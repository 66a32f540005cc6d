#!/usr/bin/env python3
"""How long a huge lexicon takes: writes a lexicon of N patterns (words, two-word phrases and
prefix wildcards drawn from the system word list, 100 patterns a code) and a pipeline that runs
it over a corpus, then times `tmine validate` (parse + compile + examples) and `tmine run` (cold).

    Scripts/lexicon-scale.py [--patterns 100000] [--corpus Corpora/ai-doctors] [--runs 3]

Prints one JSON line: patterns, codes, medians in seconds, suggestions made. Uses the release
build (built first if missing, untimed).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--patterns", type=int, default=100_000)
    parser.add_argument("--corpus", default=os.path.join(ROOT, "Corpora", "ai-doctors"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tmine = os.path.join(ROOT, ".build", "release", "tmine")
    if not os.path.exists(tmine):
        subprocess.run(["swift", "build", "-c", "release", "--product", "tmine"], cwd=ROOT, check=True,
                       stdout=sys.stderr)
    words = sorted({w.strip().lower() for w in open("/usr/share/dict/words", encoding="utf-8")
                    if w.strip().isalpha() and w.strip().isascii() and len(w.strip()) > 2})
    rng = random.Random(7)
    patterns = []
    while len(patterns) < args.patterns:
        kind = rng.random()
        if kind < 0.6:
            patterns.append(rng.choice(words))
        elif kind < 0.85:
            patterns.append(f'"{rng.choice(words)} {rng.choice(words)}"')
        else:
            word = rng.choice(words)
            patterns.append(word[:max(3, len(word) // 2)] + "*")
    work = tempfile.mkdtemp(prefix="tmine-lexicon-scale-")
    try:
        lexicon = os.path.join(work, "lexicon.yaml")
        codes = (len(patterns) + 99) // 100
        with open(lexicon, "w", encoding="utf-8") as f:
            f.write("lexicon: scale test\ncodes:\n")
            for code in range(codes):
                chunk = patterns[code * 100:(code + 1) * 100]
                f.write(f"  - name: code {code:05d}\n    patterns: [{', '.join(chunk)}]\n")
        corpus = os.path.abspath(args.corpus)
        participants = os.path.join(corpus, "participants.csv")
        pipeline = os.path.join(work, "pipeline.yaml")
        with open(pipeline, "w", encoding="utf-8") as f:
            f.write(f"study: scale\ninputs:\n  paths: [{json.dumps(corpus)}]\n  exclude: [\"source/*\"]\n")
            if os.path.exists(participants):
                f.write(f"participants: {json.dumps(participants)}\n")
            f.write("stages:\n  - tokenize: {case: fold}\n  - suggest: {lexicon: lexicon.yaml}\nout: out\n")
        validate, run = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            checked = subprocess.run([tmine, "validate", pipeline], capture_output=True, text=True)
            validate.append(time.perf_counter() - start)
            if checked.returncode != 0:
                sys.exit(checked.stdout + checked.stderr)
            shutil.rmtree(os.path.join(work, "out"), ignore_errors=True)
            start = time.perf_counter()
            ran = subprocess.run([tmine, "run", pipeline, "--quiet"], capture_output=True, text=True)
            run.append(time.perf_counter() - start)
            if ran.returncode != 0:
                sys.exit(ran.stdout + ran.stderr)
        report = json.load(open(os.path.join(work, "out", "scale", "run-report.json"), encoding="utf-8"))
        print(json.dumps({"patterns": len(patterns), "codes": codes, "validate_s": round(statistics.median(validate), 3),
                          "run_cold_s": round(statistics.median(run), 3),
                          "suggest_thread_s": report["timings"].get("suggest"),
                          "suggestions": report["suggestions"]["total"], "documents": report["corpus"]["documents"]}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
