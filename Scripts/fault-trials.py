#!/usr/bin/env python3
"""Fault injection: kill `tmine run` and `tmine review` with SIGKILL at random moments.

    Scripts/fault-trials.py [--runs 100] [--edits 20] [--reviews 30] [--tmine .build/release/tmine]

1. A copy of the sample study, padded with copies of one transcript so a run takes a while, is
   run once; then `tmine run --force` is started and killed after a random delay, RUNS times.
   After every kill: each previous output is byte-identical and valid JSON, and every decisions
   file is intact. Finally an ordinary run must complete.
2. The study is changed (a word added to a code of the lexicon or the edit undone, a transcript
   added or taken away, a participant's attribute edited or put back) and `tmine run` (which
   copies what the change leaves as it was from the previous suggestions.json, corpus.json and
   kwic.json, writing over the copies of older outputs kept under .cache) is killed after a
   random delay, EDITS times; after every kill an ordinary run must give every output of a
   `--force` run.
3. `tmine review` is started and sent decisions as fast as it answers, and killed after a random
   delay, REVIEWS times. After every kill the decisions file is valid JSON whose events are a
   prefix of what was sent (the old or the new version, never a mix).
Prints a summary; exits 1 on any violation.
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def study(folder, copies):
    corpus = os.path.join(folder, "corpus")
    shutil.copytree(os.path.join(ROOT, "Corpora", "ai-doctors"), corpus, ignore=shutil.ignore_patterns("source"))
    text = open(os.path.join(corpus, "interview-11.txt"), encoding="utf-8-sig").read()
    for number in range(copies):
        with open(os.path.join(corpus, "copy-%04d.txt" % number), "w", encoding="utf-8") as f:
            f.write(text + "\nR: Extra line %d about hype and protected time.\n" % number)
    shutil.copy(os.path.join(ROOT, "Pipelines", "lexicons", "ai-doctors.yaml"), os.path.join(folder, "lexicon.yaml"))
    pipeline = os.path.join(folder, "study.yaml")
    with open(pipeline, "w") as f:
        f.write("study: faults\ninputs:\n  paths: [corpus]\nparticipants: corpus/participants.csv\nstages:\n"
                "  - tokenize:\n  - kwic:\n      queries: [hype, \"protected time\"]\n  - frequencies:\n"
                "      groupings: [clinical_tech_split]\n  - suggest:\n      lexicon: lexicon.yaml\nout: out\n")
    return pipeline, os.path.join(folder, "out", "faults")


def remove_tree(folder):
    """Deletes a trial's folder right after its last run, while that run's background flush may
    still be deleting the files the run set aside in it (each vanishing between the listing and
    its deletion is fine)."""
    def vanished(function, path, error):
        if not isinstance(error[1], FileNotFoundError):
            raise error[1]
    # The flush creates nothing, so one pass leaves no folder behind.
    shutil.rmtree(folder, onerror=vanished)


def outputs(out):
    return {name: open(os.path.join(out, name), "rb").read() for name in sorted(os.listdir(out))
            if name.endswith((".json", ".csv", ".html")) and name != "run-report.json"}


def run_trials(tmine, runs, problems):
    folder = tempfile.mkdtemp(prefix="tmine-faults-")
    pipeline, out = study(folder, 400)
    subprocess.run([tmine, "run", pipeline, "--quiet"], check=True)
    # A decisions file that must survive everything.
    decisions = os.path.join(out, "decisions")
    os.makedirs(decisions, exist_ok=True)
    ids = [s["id"] for s in json.load(open(os.path.join(out, "suggestions.json")))["suggestions"][:3]]
    subprocess.run([tmine, "decide", pipeline, "--coder", "keeper", "--accept"] + ids, check=True, stdout=subprocess.DEVNULL)
    keeper = open(os.path.join(decisions, "keeper.json"), "rb").read()
    # The outputs with the decision merged: what every killed run must leave (or rewrite identically).
    subprocess.run([tmine, "run", pipeline, "--quiet"], check=True)
    good = outputs(out)
    # Kills are spread over the whole length of a forced run, measured here.
    timed = time.time()
    subprocess.run([tmine, "run", pipeline, "--quiet", "--force"], check=True)
    length = time.time() - timed
    start = time.time()
    for trial in range(runs):
        process = subprocess.Popen([tmine, "run", pipeline, "--quiet", "--force"], stderr=subprocess.DEVNULL)
        time.sleep(random.uniform(0.0, 1.1 * length))
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = outputs(out)
        for name, data in good.items():
            if now.get(name) != data:
                problems.append("run trial %d: %s changed or vanished" % (trial, name))
            if name.endswith(".json"):
                try:
                    json.loads(now.get(name, b""))
                except ValueError:
                    problems.append("run trial %d: %s is not valid JSON" % (trial, name))
        if open(os.path.join(decisions, "keeper.json"), "rb").read() != keeper:
            problems.append("run trial %d: a decisions file changed" % trial)
    final = subprocess.run([tmine, "run", pipeline, "--quiet"])
    if final.returncode != 0:
        problems.append("the run after the kills did not complete")
    # The files the run set aside (`.old`) are its background flush's to delete, a moment after
    # the run: given two seconds; a killed writer's temporary files must already be gone.
    deadline = time.monotonic() + 2
    while True:
        leftovers = [p for p in os.listdir(out) if ".tmp-" in p]
        if not leftovers or time.monotonic() > deadline or not all(p.endswith(".old") for p in leftovers):
            break
        time.sleep(0.05)
    if leftovers:
        problems.append("temporary files left after the final run: %s" % leftovers)
    elapsed = time.time() - start
    remove_tree(folder)
    return elapsed, length


def edit_trials(tmine, edits, problems):
    folder = tempfile.mkdtemp(prefix="tmine-edit-faults-")
    pipeline, out = study(folder, 200)
    lexicon = os.path.join(folder, "lexicon.yaml")
    original = open(lexicon, encoding="utf-8").read()
    corpus = os.path.join(folder, "corpus")
    participants = os.path.join(corpus, "participants.csv")
    table = open(participants, encoding="utf-8").read()
    extra = os.path.join(corpus, "copy-extra.txt")
    text = open(os.path.join(corpus, "interview-11.txt"), encoding="utf-8-sig").read()
    subprocess.run([tmine, "run", pipeline, "--quiet"], check=True)
    timed = time.time()
    subprocess.run([tmine, "run", pipeline, "--quiet", "--force"], check=True)
    length = time.time() - timed
    for trial in range(edits):
        change = random.choice(["lexicon", "transcript", "participants"])
        if change == "lexicon":
            word = random.choice(["zyzzyva", "keynote*", "unpleasant", None])
            edited = original if word is None else original.replace("keynote,", "keynote, %s," % word, 1)
            with open(lexicon, "w", encoding="utf-8") as f:
                f.write(edited)
        elif change == "transcript":
            if os.path.exists(extra):
                os.unlink(extra)
            else:
                with open(extra, "w", encoding="utf-8") as f:
                    f.write(text + "\nR: The hype, trial %d.\n" % trial)
        else:
            edited = table if random.random() < 0.5 else table.replace("P2,Consultant,", "P2,Senior consultant,", 1)
            with open(participants, "w", encoding="utf-8") as f:
                f.write(edited)
        process = subprocess.Popen([tmine, "run", pipeline, "--quiet"], stderr=subprocess.DEVNULL)
        time.sleep(random.uniform(0.0, 0.5 * length))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if subprocess.run([tmine, "run", pipeline, "--quiet"], stderr=subprocess.DEVNULL).returncode != 0:
            problems.append("edit trial %d: the run after the kill failed" % trial)
            continue
        after = outputs(out)
        subprocess.run([tmine, "run", pipeline, "--quiet", "--force"], check=True)
        forced = outputs(out)
        for name in sorted(set(after) | set(forced)):
            if after.get(name) != forced.get(name):
                problems.append("edit trial %d (%s): %s differs from a forced run's" % (trial, change, name))
    remove_tree(folder)


def review_trials(tmine, reviews, problems):
    folder = tempfile.mkdtemp(prefix="tmine-review-faults-")
    pipeline, out = study(folder, 0)
    subprocess.run([tmine, "run", pipeline, "--quiet"], check=True)
    ids = [s["id"] for s in json.load(open(os.path.join(out, "suggestions.json")))["suggestions"]]
    path = os.path.join(out, "decisions", "rev.json")
    sent = 0
    for trial in range(reviews):
        server = subprocess.Popen([tmine, "review", pipeline, "--coder", "rev"], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        port = token = None
        while port is None:
            line = server.stdout.readline()
            match = re.search(r"127\.0\.0\.1:(\d+)/\?token=([0-9a-f]+)", line)
            if match:
                port, token = int(match.group(1)), match.group(2)
        deadline = time.time() + random.uniform(0.05, 0.6)
        killed = False
        while not killed:
            version = len(json.load(open(path))["events"]) if os.path.exists(path) else 0
            body = json.dumps({"version": version, "actions": [{"action": random.choice(["accept", "reject"]),
                                                                 "id": random.choice(ids)}]})
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("POST", "/api/decisions", body,
                                   {"Content-Type": "application/json", "X-Review-Token": token})
                if connection.getresponse().status == 200:
                    sent += 1
            except OSError:
                pass
            if time.time() > deadline:
                server.send_signal(signal.SIGKILL)
                server.wait()
                killed = True
        try:
            events = json.load(open(path))["events"]
            if [e["sequence"] for e in events] != list(range(1, len(events) + 1)):
                problems.append("review trial %d: events are not a clean sequence" % trial)
        except (ValueError, KeyError, FileNotFoundError) as error:
            problems.append("review trial %d: decisions file broken: %s" % (trial, error))
    final = len(json.load(open(path))["events"]) if os.path.exists(path) else 0
    remove_tree(folder)
    return sent, final


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--reviews", type=int, default=30)
    parser.add_argument("--tmine", default=os.path.join(ROOT, ".build", "release", "tmine"))
    args = parser.parse_args()
    random.seed(20261129)
    problems = []
    elapsed = run_trials(args.tmine, args.runs, problems)
    print("run: %d SIGKILL trials in %.0f s (a forced run takes %.2f s; kills spread over 0-110 %% of it)"
          % (args.runs, elapsed[0], elapsed[1]))
    edit_trials(args.tmine, args.edits, problems)
    print("edit: %d SIGKILL trials of runs after a change (lexicon, transcript or participants), each followed "
          "by a run compared with a forced one"
          % args.edits)
    sent, kept = review_trials(args.tmine, args.reviews, problems)
    print("review: %d SIGKILL trials, %d decisions acknowledged, %d events in the log" % (args.reviews, sent, kept))
    if sent > kept:
        problems.append("an acknowledged decision was lost (%d acknowledged, %d kept)" % (sent, kept))
    for problem in problems:
        print("FAIL:", problem)
    print("%d passed, %d failed" % (args.runs + args.edits + args.reviews - len(problems), len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
