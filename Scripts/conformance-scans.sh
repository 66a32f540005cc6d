#!/usr/bin/env bash
# Counts the Swift runtime's protocol conformance scans in one run of a release `tmine`, and
# names the Swift function that caused each, whether the main thread asked, and what it asked
# (the protocol, and the type when its metadata is in the binary; x86-64). A type asked
# about a protocol for the first time (a dynamic cast, or a generic type reached by its mangled
# name) makes the runtime read every conformance record in the binary (9,255 in session 32's,
# ~0.2 ms a scan here): a fixed cost of every process, most of it before any transcript is read.
#   Scripts/conformance-scans.sh BINARY ARGS...     e.g. .build/release/tmine run Pipelines/bench.yaml
# Needs root and perf with uprobes (apt-get install linux-perf). The probes are removed after.
set -euo pipefail
binary=$(realpath "$1")
shift
scratch=$(mktemp -d)
trap 'perf probe -q -d "tmine_scans:*" 2>/dev/null || true; rm -rf "$scratch"' EXIT
perf probe -q -d 'tmine_scans:*' 2>/dev/null || true
# The runtime's lookup (one call per question) and the loop body it runs once per record on a miss.
nm "$binary" >"$scratch/symbols.txt"
lookup=$(awk '$2 == "t" && $3 ~ /^_ZL52swift_conformsToProtocolMaybeInstantiateSuperclasses/ {print $1}' "$scratch/symbols.txt" | head -1)
scan=$(awk '$2 == "t" && $3 ~ /^_ZZZL52swift_conformsToProtocolMaybeInstantiateSuperclasses/ {print $1}' "$scratch/symbols.txt" | head -1)
[ -n "$lookup" ] && [ -n "$scan" ] || { echo "no conformance lookup symbols in $binary" >&2; exit 1; }
# perf takes a raw probe address as an offset into the file, which lld's layout (unlike gold's)
# keeps apart from the address nm gives: converted through the loadable segments.
offset() {
    readelf -lW "$binary" | python3 -c '
import sys
address = int(sys.argv[1], 16)
for fields in (line.split() for line in sys.stdin):
    if fields[:1] == ["LOAD"]:
        offset, start, size = int(fields[1], 16), int(fields[2], 16), int(fields[4], 16)
        if start <= address < start + size: print(hex(address - start + offset))
' "$1"
}
# Its arguments: the type and the protocol asked about, in the second and third registers (the first
# holds where its returned pair goes).
perf probe -q -x "$binary" -a "tmine_scans:lookup=$(offset "$lookup") type=%si:x64 protocol=%dx:x64"
perf probe -q -x "$binary" -a "tmine_scans:scan=$(offset "$scan")"
# A command that ends with an error (exit 3: nothing processed) is measured all the same.
perf record -q -g -e tmine_scans:lookup -e tmine_scans:scan -o "$scratch/perf.data" -- "$binary" "$@" >/dev/null || true
perf script -i "$scratch/perf.data" -F pid,tid,event,trace,ip,sym 2>/dev/null >"$scratch/events.txt"
python3 - "$scratch/events.txt" "$scratch/symbols.txt" "$lookup" <<'PY'
import re, subprocess, sys
# The runtime's own frames, skipped to name the caller.
runtime = re.compile(r'swift_|swift::|_gatherGenericParameters|Demangle|__swift_instantiate|ConformanceCandidate'
                     r'|operator\(\)|getCache|tryCast|_conformsToProtocol|MetadataCache|decodeMangled|_dynamicCast'
                     r'|Metadata|lambda|anonymous|std::|unknown|^\$ss|^\$sS[a-zA-Z]')
# What each scan asked: the protocol (its descriptor's symbol) and the type (its metadata's symbol,
# or "a made type" for metadata the runtime instantiated), through the binary's load address.
import bisect
symbols = sorted((int(f[0], 16), f[2]) for f in (l.split() for l in open(sys.argv[2])) if len(f) == 3)
addresses = [a for a, _ in symbols]
lookup_address = int(sys.argv[3], 16)
def symbol_at(runtime, base):
    i = bisect.bisect_right(addresses, runtime - base) - 1
    return symbols[i][1] if i >= 0 and runtime - base - addresses[i] < 4096 else None
lookups, callers, last = 0, [], None
asked = []
for block in open(sys.argv[1]).read().split('\n\n'):
    lines = [line.strip() for line in block.strip().split('\n') if line.strip()]
    if not lines:
        continue
    if 'lookup' in lines[0]:
        lookups += 1
        pid, tid = lines[0].split()[0].split('/')
        last = lines[1:]
        thread = 'main ' if pid == tid else 'other'
        fields = dict(re.findall(r'(type|protocol)=(0x[0-9a-f]+)', lines[0]))
        probe = re.search(r'\(([0-9a-f]+)\)', lines[0])
        base = int(probe.group(1), 16) - lookup_address if probe else 0
        question = (symbol_at(int(fields.get('protocol', '0'), 16), base) or '?',
                    symbol_at(int(fields.get('type', '0'), 16), base) or 'a made type')
    elif 'scan' in lines[0] and last is not None:
        frames = [line.split(None, 1)[1] if ' ' in line else line for line in last]
        callers.append(thread + ' ' + next((f for f in frames if not runtime.search(f)), '?'))
        asked.append(question)
        last = None  # one scan per lookup; the loop's other records are the same scan
names = subprocess.run(['swift', 'demangle', '--simplified', '--compact'], input='\n'.join(callers),
                       capture_output=True, text=True).stdout.split('\n')
print(f'{lookups} conformance lookups, {len(callers)} scans of every record')
counts = {}
for name in names[:len(callers)]:
    counts[name] = counts.get(name, 0) + 1
for name, count in sorted(counts.items(), key=lambda item: -item[1]):
    print(f'{count:4d}  {name[:160]}')
questions = subprocess.run(['swift', 'demangle', '--simplified', '--compact'],
                           input='\n'.join(f'{p}\n{t}' for p, t in asked), capture_output=True, text=True).stdout.split('\n')
print('what each scan asked (caller: protocol, type):')
for index, name in enumerate(names[:len(callers)]):
    print(f'  {name[:70]}: {questions[2 * index][:60]}, {questions[2 * index + 1][:60]}')
PY
