#!/usr/bin/env python3
"""Differential trials of incremental runs: random edits, each run as a researcher reruns after an
edit and again with `--force`, whose outputs must be the same.

    Scripts/edit-trials.py [--trials 150] [--seed N] [--copies 150] [--decisions P] [--watch] [--tmine .build/release/tmine]

A copy of the sample study, padded with variants of one transcript (each with its own random
extra lines, so that documents differ in which lexicon words they hold, some of them lines beyond
ASCII whose words fold into ASCII ones), gets a decisions file from two coders. Then, TRIALS times, one random edit is made:
- to the lexicon (most trials): a word, phrase, wildcard (open at either end or both), gap or NEAR
  pattern added (found in the corpus or nowhere), a pattern removed, a code added, removed or renamed, an exclusion or a
  negation rule added or dropped, a description changed, or the lexicon put back as it was some
  edits before;
- to a transcript (a line with lexicon words added or a turn dropped), to the transcripts (one
  added or removed), to the pipeline (KWIC queries and window, n-grams, groupings, the
  suggestion unit, the bands of a numeric column), or to a participant's attributes (a group, or
  a number of years banded by the pipeline);
- to the decisions (a suggestion accepted, rejected, recoded or noted, or a decision undone, with
  `tmine decide`): one edit in eleven, or the share --decisions gives.

After each edit the study is run twice: with `tmine run` in the study every trial has run in (the
incremental run, reusing what it can; with --watch, by one `tmine run --watch` process that every
edit wakes, waited for until it has run and run no more for half a second), and with `tmine run --force` in a copy of its inputs
(recomputing everything). Both read the same decisions. Every output but
run-report.json must be byte-identical, and run-report.json must agree on the corpus, the
failures, the warnings, the suggestions' counts, additions, removals and orphans, each KWIC
query's hits, documents and groups (with their words and rates), and the transcribers' notes. Prints a
summary; exits 1 on any difference. Seeded: a failing trial is reproduced with the same --seed.
"""
import argparse
import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
import queue
import tempfile
import threading
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NOWHERE = ["zyzzyva", "quokka", "xylograph", "blorft"]

# Lines beyond ASCII whose words fold, normalise or join into ASCII forms (a ligature, ß, a soft
# hyphen, curly apostrophes, a Kelvin sign, a combining accent) or hide in notes, and the words a
# lexicon edit may add to find them: an edit that judges turns from their bytes must never miss them.
TRICKY_LINES = [
    "R: The \ufb01nancial side was hard.",
    "R: We met on the Stra\u00dfe.",
    "R: The mentor\u00adship was thin.",
    "R: I don\u2019t know, it\u2019s hard \u2014 \u201creally\u201d.",
    "R: A \u212aelvin problem.",
    "R: Cafe\u0301 chats and na\u00efve hopes.",
    "R: Work\u2010life and part\u2011time \u00abroles\u00bb \u2026",
    # Words in transcribers' notes are not tokens (unless a pipeline keeps them): an edit that
    # finds their bytes in a turn must still find no match there.
    "R: The [mentorship] scheme ((really)) worked (0.5) for [financial] roles.",
]
TRICKY_WORDS = ["financial", "strasse", "mentorship", "don't", "it's", "kelvin", "café", "naive", "work-life",
                "part-time", "roles", "really"]


def build_study(folder, copies, rng):
    """The sample study with `copies` variants of interview 11, in `folder`."""
    corpus = os.path.join(folder, "corpus")
    shutil.copytree(os.path.join(ROOT, "Corpora", "ai-doctors"), corpus, ignore=shutil.ignore_patterns("source"))
    base = open(os.path.join(corpus, "interview-11.txt"), encoding="utf-8-sig").read()
    lines = base.split("\n")
    turns = [i for i, line in enumerate(lines) if line.startswith(("R:", "I:"))]
    words = corpus_words(base)
    for number in range(copies):
        kept = list(lines)
        # Drop a few turns and add a few lines of random corpus words, so documents differ.
        for index in sorted(rng.sample(turns, min(3, len(turns))), reverse=True):
            del kept[index]
        for _ in range(rng.randint(0, 4)):
            kept.append("R: " + " ".join(rng.choice(words) for _ in range(rng.randint(4, 14))) + ".")
        if rng.random() < 0.3:
            kept.append(rng.choice(TRICKY_LINES))
        with open(os.path.join(corpus, "copy-%04d.txt" % number), "w", encoding="utf-8") as f:
            f.write("\n".join(kept) + "\n")
    # Most copies are a participant of their own: a grouping by participant then has more groups
    # than a frequency table keeps at hand (64), and sets the quiet ones aside in a scratch file.
    path = os.path.join(corpus, "participants.csv")
    rows = [r for r in open(path, encoding="utf-8-sig").read().split("\n") if r.strip()]
    for number in range(copies):
        if rng.random() < 0.8:
            split = rng.choice(["Full-time tech", "Mixed", "Mostly clinical"])
            rows.append("C%04d,Locum,%s,1-5,Copy of interview 11,copy-%04d.txt" % (number, split, number))
    # A column of numbers for the pipeline's bands (an empty cell now and then: in no band).
    rows = [rows[0] + ",years"] + [r + "," + rng.choice(["", str(rng.randint(0, 20))]) if rng.random() < 0.1
                                   else r + "," + str(rng.randint(0, 20)) for r in rows[1:]]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    shutil.copy(os.path.join(ROOT, "Pipelines", "lexicons", "ai-doctors.yaml"), os.path.join(folder, "lexicon.yaml"))
    os.makedirs(os.path.join(folder, "decisions"))
    write_pipeline(folder, dict(PIPELINE))


# The pipeline's settings that trials vary, as a researcher would between runs.
PIPELINE = {"queries": ["hype", "protected time", "mentor*"], "window": 5, "ngrams": [1, 2],
            "groupings": ["clinical_tech_split", "participant"], "unit": "turn", "bands": [5, 10],
            "phrases": "sentence"}


def write_pipeline(folder, settings):
    queries = ", ".join('"%s"' % q for q in settings["queries"])
    with open(os.path.join(folder, "study.yaml"), "w") as f:
        f.write("study: trials\ninputs:\n  paths: [corpus]\n"
                "participants:\n  file: corpus/participants.csv\n  bands:\n    experience: {from: years, at: [%s]}\n"
                % ", ".join(map(str, settings["bands"])) + "stages:\n"
                "  - tokenize:\n      case: fold\n      stopwords: english\n      phrases: %s\n" % settings["phrases"] +
                "  - kwic:\n      queries: [%s]\n      window: %d\n"
                "  - frequencies:\n      groupings: [%s]\n      ngrams: [%s]\n"
                "  - suggest:\n      lexicon: lexicon.yaml\n      decisions: decisions\n      unit: %s\nout: out\n"
                % (queries, settings["window"], ", ".join(settings["groupings"]),
                   ", ".join(map(str, settings["ngrams"])), settings["unit"]))


def corpus_words(text):
    return sorted({w for w in re.findall(r"[a-z][a-z'-]+", text.lower()) if len(w) > 3})


def outputs(out):
    return {name: open(os.path.join(out, name), "rb").read() for name in sorted(os.listdir(out))
            if name.endswith((".json", ".csv", ".html"))}


def report_part(data):
    report = json.loads(data)
    return {key: report.get(key) for key in ["corpus", "failures", "warnings", "suggestions", "kwic", "transcriberNotes"]}


class Editor:
    """Random edits of the study's files; each returns a line saying what it did."""

    def __init__(self, folder, rng, tmine, decisions=None):
        self.decisions = decisions
        self.folder, self.rng, self.tmine = folder, rng, tmine
        self.lexicon_path = os.path.join(folder, "lexicon.yaml")
        self.history = [open(self.lexicon_path, encoding="utf-8").read()]
        corpus = os.path.join(folder, "corpus")
        self.transcripts = sorted(os.path.join(corpus, n) for n in os.listdir(corpus) if n.endswith(".txt"))
        self.words = corpus_words("".join(open(p, encoding="utf-8-sig").read() for p in self.transcripts[:3]))
        self.settings = dict(PIPELINE)

    def edit(self):
        if self.decisions is not None and self.rng.random() < self.decisions:
            return "decisions", self.decision_edit()
        roll = self.rng.random()
        if roll < 0.66:
            return "lexicon", self.lexicon_edit()
        if roll < 0.76:
            return "transcript", self.transcript_edit()
        if roll < 0.81:
            return "transcripts", self.transcript_added_or_removed()
        if roll < 0.86:
            return "pipeline", self.pipeline_edit()
        if roll < 0.91:
            return "participants", self.participant_edit()
        return "decisions", self.decision_edit()

    # The lexicon, through PyYAML: comments go after the first edit, which must itself change
    # nothing but the file's hash.
    def lexicon_edit(self):
        rng = self.rng
        if len(self.history) > 2 and rng.random() < 0.12:
            back = rng.randint(1, min(4, len(self.history) - 1))
            text = self.history[-1 - back]
            self.write_lexicon(text)
            return "lexicon put back %d edits" % back
        lexicon = yaml.safe_load(open(self.lexicon_path, encoding="utf-8"))
        codes = lexicon["codes"]
        with_patterns = [c for c in codes if c.get("patterns")]
        code = rng.choice(with_patterns)
        kind = rng.choice(["word", "word", "tricky", "tricky", "nowhere", "phrase", "wildcard", "gap", "near",
                           "remove pattern", "add code", "remove code", "rename code", "exclude", "negation",
                           "description"])
        word = lambda: rng.choice(self.words)
        if kind == "word":
            pattern = word()
        elif kind == "tricky":
            pattern = rng.choice(TRICKY_WORDS)
        elif kind == "nowhere":
            pattern = rng.choice(NOWHERE)
        elif kind == "phrase":
            pattern = self.phrase()
        elif kind == "wildcard":
            # Open at the end, the start or both, of a corpus word or one beyond ASCII.
            stem = rng.choice([word(), word(), rng.choice(TRICKY_WORDS)])
            n = rng.randint(3, 5)
            pattern = rng.choice([stem[:n] + "*", "*" + stem[-n:], "*" + stem[1:1 + n] + "*"])
        elif kind == "gap":
            pattern = "%s ~%d %s" % (word(), rng.randint(1, 3), word())
        elif kind == "near":
            pattern = "%s NEAR/%d %s" % (word(), rng.randint(2, 6), word())
        if kind in ("word", "tricky", "nowhere", "phrase", "wildcard", "gap", "near"):
            if pattern in code["patterns"]:
                return self.lexicon_edit()
            code["patterns"].append(pattern)
            what = "pattern %r added to %r" % (pattern, code["name"])
        elif kind == "remove pattern":
            if len(code["patterns"]) < 2:
                return self.lexicon_edit()
            pattern = rng.choice(code["patterns"])
            code["patterns"].remove(pattern)
            what = "pattern %r removed from %r" % (pattern, code["name"])
        elif kind == "add code":
            name = "Trial code %d" % rng.randint(1, 10 ** 6)
            codes.append({"name": name, "patterns": [word(), self.phrase()]})
            what = "code %r added" % name
        elif kind == "remove code":
            if any(c.get("parent") == code["name"] for c in codes):
                return self.lexicon_edit()
            codes.remove(code)
            what = "code %r removed" % code["name"]
        elif kind == "rename code":
            old = code["name"]
            code["name"] = old + " (renamed)"
            for other in codes:
                if other.get("parent") == old:
                    other["parent"] = code["name"]
            what = "code %r renamed" % old
        elif kind == "exclude":
            if code.get("exclude") and rng.random() < 0.5:
                del code["exclude"]
                what = "exclusions of %r dropped" % code["name"]
            else:
                code.setdefault("exclude", []).append(self.phrase())
                what = "exclusion added to %r" % code["name"]
        elif kind == "negation":
            if code.get("negation"):
                del code["negation"]
                what = "negation of %r dropped" % code["name"]
            else:
                code["negation"] = {"mode": rng.choice(["exclude", "require"]), "within": rng.randint(1, 4)}
                what = "negation added to %r" % code["name"]
        else:
            code["description"] = "Edited %d." % rng.randint(1, 10 ** 6)
            what = "description of %r changed" % code["name"]
        # Examples may no longer hold after an edit; they are the lexicon author's, not ours.
        for c in codes:
            c.pop("examples", None)
        self.write_lexicon(yaml.safe_dump(lexicon, sort_keys=False, allow_unicode=True, width=1000))
        return what

    def phrase(self):
        text = open(self.rng.choice(self.transcripts), encoding="utf-8-sig").read().lower()
        words = re.findall(r"[a-z]+", text)
        start = self.rng.randrange(len(words) - 2)
        return " ".join(words[start:start + self.rng.randint(2, 3)])

    def write_lexicon(self, text):
        with open(self.lexicon_path, "w", encoding="utf-8") as f:
            f.write(text)
        self.history.append(text)

    def transcript_edit(self):
        path = self.rng.choice(self.transcripts)
        lines = open(path, encoding="utf-8-sig").read().split("\n")
        turns = [i for i, line in enumerate(lines) if line.startswith("R:")]
        if turns and self.rng.random() < 0.4:
            del lines[self.rng.choice(turns)]
            what = "a turn dropped from %s" % os.path.basename(path)
        else:
            lexicon_words = re.findall(r"[a-z]+", open(self.lexicon_path, encoding="utf-8").read().lower())
            line = "R: " + " ".join(self.rng.choice(lexicon_words + self.words) for _ in range(10)) + "."
            lines.insert(self.rng.choice(turns) if turns else len(lines), line)
            what = "a line added to %s" % os.path.basename(path)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        return what

    def transcript_added_or_removed(self):
        copies = [p for p in self.transcripts if os.path.basename(p).startswith("copy-")]
        if len(copies) > 10 and self.rng.random() < 0.4:
            path = self.rng.choice(copies)
            os.remove(path)
            self.transcripts.remove(path)
            return "%s removed" % os.path.basename(path)
        source = self.rng.choice(self.transcripts)
        path = os.path.join(os.path.dirname(source), "copy-new-%06d.txt" % self.rng.randrange(10 ** 6))
        shutil.copy(source, path)
        self.transcripts.append(path)
        self.transcripts.sort()
        return "%s added as a copy of %s" % (os.path.basename(path), os.path.basename(source))

    def pipeline_edit(self):
        rng, settings = self.rng, self.settings
        kind = rng.choice(["query", "window", "ngrams", "groupings", "unit", "bands", "phrases"])
        if kind == "query":
            if len(settings["queries"]) > 1 and rng.random() < 0.4:
                settings["queries"] = settings["queries"][:-1]
            else:
                # A query listed twice is a configuration error (its lines would be in kwic.json twice).
                settings["queries"] = settings["queries"] + [
                    rng.choice([w for w in self.words if w not in settings["queries"]])]
        elif kind == "window":
            settings["window"] = rng.choice([3, 5, 8])
        elif kind == "ngrams":
            settings["ngrams"] = rng.choice([[1], [1, 2], [2]])
        elif kind == "groupings":
            settings["groupings"] = rng.choice([["clinical_tech_split"], ["clinical_tech_split", "participant"],
                                                ["years_in_field", "participant"], ["experience", "participant"],
                                                ["years", "experience"]])
        elif kind == "bands":
            settings["bands"] = rng.choice([[5], [5, 10], [3, 8, 15], [2.5, 7.5]])
        elif kind == "phrases":
            settings["phrases"] = "turn" if settings["phrases"] == "sentence" else "sentence"
        else:
            settings["unit"] = "sentence" if settings["unit"] == "turn" else "turn"
        write_pipeline(self.folder, settings)
        return "pipeline: %s now %s" % (kind, settings[{"query": "queries"}.get(kind, kind)])

    def participant_edit(self):
        # Through the csv module: a split on commas broke the rows with quoted commas (P6's group).
        path = os.path.join(self.folder, "corpus", "participants.csv")
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = [row for row in csv.reader(f) if row]
        index = self.rng.randrange(1, len(rows))
        if self.rng.random() < 0.5:
            column = rows[0].index("clinical_tech_split")
            rows[index][column] = self.rng.choice(["Full-time tech", "Mixed", "Mostly clinical"])
        else:
            column = rows[0].index("years")
            rows[index][column] = self.rng.choice(["", str(self.rng.randint(0, 20))])
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
        return "participant %s: %s now %r" % (rows[index][0], rows[0][column], rows[index][column])

    def decision_edit(self):
        current = json.load(open(os.path.join(self.folder, "out", "trials", "suggestions.json")))
        if not current["suggestions"]:
            return self.lexicon_edit()
        chosen = self.rng.choice(current["suggestions"])
        codes = [c["name"] for c in current["lexicon"]["codes"]]
        coder = self.rng.choice(["alice", "bob"])
        action = self.rng.choice(["--accept", "--reject", "--recode", "--note", "--undo"])
        if action == "--undo":
            decided = [s for s in current["suggestions"] if any(d["coder"] == coder for d in s["decisions"])]
            if not decided:
                action = "--accept"
            else:
                chosen = self.rng.choice(decided)
        value = chosen["id"]
        if action == "--recode":
            # Another code than the suggested one (recoding to it is accepting, and refused).
            value = "%s=%s" % (chosen["id"], self.rng.choice([c for c in codes if c != chosen["code"]] or codes))
        elif action == "--note":
            value = "%s=note %d" % (chosen["id"], self.rng.randint(0, 9))
        subprocess.run([self.tmine, "decide", "study.yaml", "--coder", coder, action, value], check=True,
                       stdout=subprocess.DEVNULL, cwd=self.folder)
        return "%s %s %s" % (coder, action[2:], chosen["id"][:8])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=150)
    parser.add_argument("--copies", type=int, default=150)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--decisions", type=float, default=None, help="share of edits made to the decisions")
    parser.add_argument("--tmine", default=os.path.join(ROOT, ".build", "release", "tmine"))
    parser.add_argument("--watch", action="store_true", help="the incremental runs by one `tmine run --watch`")
    parser.add_argument("--keep", action="store_true", help="keep the study folder")
    parser.add_argument("--stop", action="store_true", help="stop at the first difference (the folder is kept)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(10 ** 6)
    rng = random.Random(seed)
    folder = tempfile.mkdtemp(prefix="tmine-edit-trials-")
    # Two copies of one study, so that the report's methods statement (which names the pipeline
    # file and its hash) reads the same: "incremental" is edited and rerun as a researcher would,
    # "forced" gets its inputs copied from it before each run with --force.
    incremental, forced = os.path.join(folder, "incremental"), os.path.join(folder, "forced")
    os.makedirs(incremental)
    build_study(incremental, args.copies, rng)
    outs = [os.path.join(incremental, "out", "trials"), os.path.join(forced, "out", "trials")]

    def run(study, *extra):
        done = subprocess.run([args.tmine, "run", "study.yaml", "--quiet", *extra], stderr=subprocess.PIPE, text=True,
                              cwd=study)
        if done.returncode not in (0, 1):
            raise SystemExit("tmine run in %s failed (%d): %s" % (study, done.returncode, done.stderr))

    reports = queue.Queue()
    watcher = None
    if args.watch:
        watcher = subprocess.Popen([args.tmine, "run", "--watch", "study.yaml", "--log-format", "json"],
                                   cwd=incremental, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def read_reports():
            for line in watcher.stderr:
                if line.startswith("{") and '"stages"' in line:
                    reports.put(line)
            reports.put(None)

        threading.Thread(target=read_reports, daemon=True).start()

    def run_incremental():
        if watcher is None:
            run(incremental)
            return
        # The watching process runs once an edit is saved; a second save of one edit (a decision
        # file, then nothing) may make it run again, so it is waited for until it is quiet.
        try:
            report = reports.get(timeout=60)
        except queue.Empty:
            raise SystemExit("tmine run --watch did not run after an edit")
        while report is not None:
            try:
                report = reports.get(timeout=0.5)
            except queue.Empty:
                return
        raise SystemExit("tmine run --watch ended")

    run_incremental()
    editor = Editor(incremental, rng, args.tmine, args.decisions)
    for _ in range(6):
        editor.decision_edit()
        if watcher is not None:
            run_incremental()
    # Each run's report counts suggestions added and removed since the run before: both studies
    # start from a run of the same inputs.
    if watcher is None:
        run(incremental)
    shutil.copytree(incremental, forced, ignore=shutil.ignore_patterns("out"))
    run(forced, "--force")
    problems, kinds = [], {}
    seconds = [0.0, 0.0]
    for trial in range(args.trials):
        kind, what = editor.edit()
        kinds[kind] = kinds.get(kind, 0) + 1
        timed = time.time()
        run_incremental()
        seconds[0] += time.time() - timed
        for name in os.listdir(forced):
            if name != "out":
                path = os.path.join(forced, name)
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        shutil.copytree(incremental, forced, ignore=shutil.ignore_patterns("out"), dirs_exist_ok=True)
        timed = time.time()
        run(forced, "--force")
        seconds[1] += time.time() - timed
        mine, theirs = outputs(outs[0]), outputs(outs[1])
        for name in sorted(set(mine) | set(theirs)):
            if name == "run-report.json":
                if report_part(mine[name]) != report_part(theirs[name]):
                    problems.append("trial %d (%s): run-report.json differs" % (trial, what))
            elif mine.get(name) != theirs.get(name):
                problems.append("trial %d (%s): %s differs" % (trial, what, name))
        if problems and args.stop:
            break
    if watcher is not None:
        watcher.terminate()
        watcher.wait()
    print("edit trials: %d, seed %d, %d documents; incremental runs%s %.1f s, forced runs %.1f s"
          % (args.trials, seed, len(editor.transcripts) + 10, " (by tmine run --watch)" if watcher else "",
             seconds[0], seconds[1]))
    print("  edits: " + ", ".join("%s %d" % item for item in sorted(kinds.items())))
    for problem in problems:
        print("  " + problem)
    print("%d differences" % len(problems))
    if args.keep or problems:
        print("study kept in " + folder)
    else:
        shutil.rmtree(folder)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
