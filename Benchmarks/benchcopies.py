"""The benchmark task's pipeline and lexicon as the scripts here copy them beside a corpus.

Shared by `task-peer`, `lexicon-edits` and `ab`: each runs `tmine run` on its own copy of
Pipelines/bench.yaml (its own lexicon copy, to edit, and its own out folder). Also the interval
that `ab` and `lexicon-edits` give for a median.
"""
import os
import random
import statistics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_text(path, text, unless_same=False):
    """Writes `text` to `path` (UTF-8); with `unless_same`, leaves a file that already holds it
    untouched, so that a run after it finds nothing changed."""
    if unless_same and os.path.exists(path):
        with open(path, encoding="utf-8") as existing:
            if existing.read() == text:
                return
    with open(path, "w", encoding="utf-8") as target:
        target.write(text)


def bench_pipeline(lexicon="lexicon.yaml", out="tmine-out"):
    """Pipelines/bench.yaml's text, reading `lexicon` and writing to `out` (both relative to the corpus)."""
    with open(os.path.join(ROOT, "Pipelines", "bench.yaml"), encoding="utf-8") as source:
        return source.read().replace("lexicon: lexicon.yaml", f"lexicon: {lexicon}").replace(
            "out: tmine-out", f"out: {out}")


def sample_pipeline(lexicon="lexicon.yaml", out="tmine-out"):
    """A pipeline shaped as the sample study's (Pipelines/ai-doctors.yaml) for a generated corpus:
    words and bigrams by `split`, `years` and participant with keyness, stopwords removed, six
    KWIC queries (two wildcards), the suggest stage. Its frequency files are most of its outputs
    (frequencies.json is ~3.4 times the corpus's text), where the bench task's are a few rows."""
    return f"""study: shape
inputs:
  paths: [text]
  formats: [text]
participants: participants.csv
stages:
  - tokenize:
      case: fold
      stopwords: english
  - kwic:
      queries: [ai, "protected time", hype, "regulat*", "culture clash", "mentor*"]
      window: 6
  - frequencies:
      groupings: [split, years, participant]
      ngrams: [1, 2]
      minCount: 2
      keyness:
        - grouping: split
          group: full-time tech
  - suggest:
      lexicon: {lexicon}
      unit: turn
out: {out}
"""


def pipeline_copy(corpus, name, lexicon_text, shape="bench", extra_inputs=None):
    """Writes `tmine-NAME.yaml` (the bench pipeline, or with `shape="sample"` the sample-shaped
    one) and `tmine-NAME-lexicon.yaml` (`lexicon_text`) beside the corpus's text/ folder, the
    pipeline writing to `tmine-NAME-out` and reading `extra_inputs` (a folder beside text/) too,
    if given; returns the three paths."""
    lexicon = f"tmine-{name}-lexicon.yaml"
    out = f"tmine-{name}-out"
    pipeline = os.path.join(corpus, f"tmine-{name}.yaml")
    text = (sample_pipeline if shape == "sample" else bench_pipeline)(lexicon, out)
    if extra_inputs:
        text = text.replace("paths: [text]", f"paths: [text, {extra_inputs}]", 1)
    write_text(pipeline, text)
    write_text(os.path.join(corpus, lexicon), lexicon_text)
    return pipeline, os.path.join(corpus, lexicon), os.path.join(corpus, out)


def corpus_lexicon(corpus):
    """The task's lexicon, as the corpus generator wrote it."""
    with open(os.path.join(corpus, "lexicon.yaml"), encoding="utf-8") as source:
        return source.read()


def with_pattern(lexicon_text, pattern):
    """The lexicon with `pattern` added to the first code's list of patterns: a one-entry edit."""
    lines = lexicon_text.split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("  ") and line.rstrip().endswith("]"))
    lines[first] = lines[first].rstrip()[:-1] + f", {pattern}]"
    return "\n".join(lines)


def median_interval(values, resamples=2000):
    """A 90 % percentile-bootstrap interval (low, high) for the median of `values`, the same for
    the same values (a fixed seed)."""
    generator = random.Random(1)
    medians = sorted(statistics.median(generator.choices(values, k=len(values))) for _ in range(resamples))
    return medians[int(0.05 * resamples)], medians[int(0.95 * resamples) - 1]
