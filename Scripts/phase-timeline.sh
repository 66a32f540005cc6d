#!/usr/bin/env bash
# Where the wall time of a short `tmine run` goes, without sampling: perf uprobes on the entry of
# the functions that begin each phase, and the scheduler's exec and exit events, over several
# runs; prints for each phase the median time from exec at which it began. For runs of tens of
# milliseconds (a lexicon edit), where sampling at a useful rate slows what it measures.
#   Scripts/phase-timeline.sh BINARY RUNS ARGS...
#   BEFORE='shell command' runs before each run (e.g. toggling a lexicon entry, so that every
#   run is an edit); the default is none. PHASES='name:pattern …' probes more functions.
# e.g. for a 10 MB lexicon edit and its undo, taking turns (the bench corpus, see docs/PERFORMANCE.md):
#   BEFORE='cd /data/corpus-10MB && if grep -q zqxjv lexicon.yaml; then sed -i "s/zqxjv, //" lexicon.yaml;
#     else sed -i "0,/hype: \[/s//hype: [zqxjv, /" lexicon.yaml; fi' Scripts/phase-timeline.sh \
#     .build/release/tmine 24 run /data/corpus-10MB/tmine-bench.yaml
# Needs root and perf with uprobes (apt-get install linux-perf). The probes are removed after.
set -euo pipefail
binary=$(realpath "$1")
runs=$2
shift 2
scratch=$(mktemp -d)
trap 'perf probe -q -d "tmine_phases:*" 2>/dev/null || true; rm -rf "$scratch"' EXIT
perf probe -q -d 'tmine_phases:*' 2>/dev/null || true
nm "$binary" | awk '$2 ~ /^[tT]$/ {print $3}' >"$scratch/symbols.txt"
# Each phase by the first symbol matching its pattern (a name, not an address: see
# conformance-scans.sh for why addresses need converting under lld).
phases=(
    'run_request:^\$s5tmine10RunRequestV7performyyKF$'
    'runner:^\$s8Pipeline0A6RunnerV3runAA9RunReportVyAA0A5ErrorVYKF$'
    "participants:StoredParticipantsV4read"
    "manifest:RunManifestV4load4from"
    "suggestion_merge:SuggestionMergeV5stage12participants"
    "code_history_saved:CodeHistoryV4save_2in"
    "elements_finish:18SuggestionElementsV6finish"
    "run_report:0A6RunnerV15writeReportFile"
    "flush_started:OutputFlushO17startInBackground"
)
# PHASES='name:pattern …' adds phases of your own (patterns as above, without spaces).
read -r -a extra <<<"${PHASES:-}"
phases+=("${extra[@]}")
for phase in "${phases[@]}"; do
    name=${phase%%:*}
    symbol=$(grep -E "${phase#*:}" "$scratch/symbols.txt" | head -1 || true)
    if [ -z "$symbol" ] || ! perf probe -q -x "$binary" -a "tmine_phases:$name=$symbol" 2>/dev/null; then
        echo "no probe for $name" >&2
    fi
done
cat >"$scratch/runs.sh" <<EOF
for run in \$(seq $runs); do
    ${BEFORE:-:}
    "$binary" $(printf '%q ' "$@") >/dev/null 2>&1 || true
done
EOF
perf record -q -a -e 'tmine_phases:*' -e sched:sched_process_exec -e sched:sched_process_exit \
    -o "$scratch/perf.data" -- bash "$scratch/runs.sh"
perf script -i "$scratch/perf.data" -F comm,pid,tid,time,event 2>/dev/null >"$scratch/events.txt"
python3 - "$scratch/events.txt" "$(basename "$binary" | cut -c1-15)" <<'PY'
import collections, re, statistics, sys
runs = collections.OrderedDict()
for line in open(sys.argv[1]):
    match = re.match(r'\s*(\S+)\s+(\d+)/(\d+)\s+([\d.]+):\s+(\S+):', line)
    if not match:
        continue
    command, pid, tid, time, event = match.groups()
    time = float(time)
    if command == sys.argv[2] and event == 'sched:sched_process_exec':
        runs[pid] = {'exec': time}
    elif pid in runs:
        if event.startswith('tmine_phases:'):
            runs[pid].setdefault(event.split(':', 1)[1], time)
        elif event == 'sched:sched_process_exit' and pid == tid:
            runs[pid].setdefault('exit', time)
done = [run for run in runs.values() if 'exit' in run]
print(f'{len(done)} runs; median ms from exec at which each phase began')
medians = {}
for run in done:
    for name, time in run.items():
        medians.setdefault(name, []).append(1000 * (time - run['exec']))
for name, times in sorted(medians.items(), key=lambda item: statistics.median(item[1])):
    if name != 'exec':
        print(f'{statistics.median(times):7.1f}  {name}  (in {len(times)} runs)')
PY
