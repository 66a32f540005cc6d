#!/usr/bin/env python3
"""How long a short `tmine` command's threads waited for a core while another core idled.

    sudo Scripts/sched-trace.py [--runs 12] [--pause 0.05] [--before CMD] -- TMINE ARGS...

Runs the command `--runs` times under `perf record -a` with the scheduler's switch, wake-up,
migration, exec and exit events, then prints, per run, its wall time (exec to exit), the CPU
time of its threads, and the time its threads sat queued on a busy core while another core
was idle ("packed"), with the number of such waits over 1 ms. `--before` is a shell command run
before each run (e.g. toggling a lexicon entry, so that every run is an edit).

Why: on this project's 2-core VM (kernel parameter `sched_vcpu_pack`) the kernel often queued a
woken thread on its waker's core while the other idled, the two taking turns in 4 ms slices
until a balancing tick moved one (session 49: most 1 MB `tmine extract` runs of 20 .docx lost
4-12 ms of 10-20 ms so, before a loop's helpers moved off their caller's core). Wake-up
latency of an idle core (the thread already sent there) is not counted as packed.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

EVENT = re.compile(r"\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)")
SWITCH = re.compile(r"prev_comm=(.+?) prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=(.+?) next_pid=(\d+)")
WAKEUP = re.compile(r"comm=(.+?) pid=(\d+) .*target_cpu=(\d+)")
MIGRATE = re.compile(r"comm=(.+?) pid=(\d+) .*dest_cpu=(\d+)")


def record(command, runs, pause, before, data):
    script = "; ".join(
        ([before] if before else []) + [" ".join(map(sh_quote, command)) + " >/dev/null 2>&1", f"sleep {pause}"])
    loop = f"for i in $(seq {runs}); do {script}; done"
    events = ["sched:sched_switch", "sched:sched_wakeup", "sched:sched_wakeup_new", "sched:sched_migrate_task",
              "sched:sched_process_exec", "sched:sched_process_exit", "sched:sched_process_fork"]
    perf = ["perf", "record", "-a", "-q", "-o", data] + sum((["-e", e] for e in events), []) + ["--", "bash", "-c", loop]
    subprocess.run(perf, check=True, stdout=subprocess.DEVNULL)
    text = subprocess.run(["perf", "script", "-i", data, "-F", "comm,tid,cpu,time,event,trace"], check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    return text


def sh_quote(word):
    return "'" + word.replace("'", "'\\''") + "'" if re.search(r"[^\w@%+=:,./-]", word) else word


def analyse(text, program):
    events = []
    for line in text.splitlines():
        match = EVENT.match(line)
        if match:
            comm, tid, cpu, time, event, trace = match.groups()
            events.append((float(time), int(cpu), event.split(":")[-1], trace, comm, int(tid)))
    events.sort(key=lambda e: e[0])
    running = {}        # cpu -> tid on it (0: idle)
    queued = {}         # tid of ours waiting -> cpu it waits on
    ours = {}           # tid -> run index
    runs = []           # [start, end, cpu seconds, packed seconds, long waits]
    on_cpu_since = {}   # tid -> time switched in
    waiting_since = {}  # tid -> time it began waiting behind a busy core (while another idled)

    def cores_idle():
        return [cpu for cpu, tid in running.items() if tid == 0]

    def account(now):
        # Closes or opens each queued thread's packed interval as the cores' states change.
        idle = cores_idle()
        for tid, cpu in queued.items():
            packed = running.get(cpu, 0) != 0 and any(core != cpu for core in idle)
            if packed and tid not in waiting_since:
                waiting_since[tid] = now
            elif not packed and tid in waiting_since:
                close(tid, now)

    def close(tid, now):
        start = waiting_since.pop(tid)
        run = runs[ours[tid]]
        run[3] += now - start
        if now - start > 0.001:
            run[4] += 1

    for time, cpu, event, trace, comm, tid in events:
        if event == "sched_process_exec" and os.path.basename(program) in trace:
            runs.append([time, None, 0.0, 0.0, 0])
            ours[tid] = len(runs) - 1
            on_cpu_since[tid] = time
        elif event == "sched_process_fork" and tid in ours:
            child = re.search(r"child_pid=(\d+)", trace)
            if child:
                ours[int(child.group(1))] = ours[tid]
        elif event == "sched_process_exit" and tid in ours:
            queued.pop(tid, None)
            if tid in waiting_since:
                close(tid, time)
            run = ours.pop(tid)
            if runs[run][1] is None and (re.search(r"group_dead=(true|1)", trace) or "group_dead" not in trace):
                runs[run][1] = time
                # What the run left behind (a detached child, say) is not the run's.
                for other in [t for t, index in ours.items() if index == run]:
                    queued.pop(other, None)
                    if other in waiting_since:
                        close(other, time)
                    del ours[other]
        elif event == "sched_switch":
            match = SWITCH.search(trace)
            if not match:
                continue
            previous, state, following = int(match.group(2)), match.group(3), int(match.group(5))
            running[cpu] = following
            if previous in on_cpu_since and previous in ours:
                runs[ours[previous]][2] += time - on_cpu_since.pop(previous)
            if previous in ours and state.startswith("R"):
                queued[previous] = cpu
            if following in ours:
                on_cpu_since[following] = time
                queued.pop(following, None)
                if following in waiting_since:
                    close(following, time)
        elif event in ("sched_wakeup", "sched_wakeup_new"):
            match = WAKEUP.search(trace)
            if match and int(match.group(2)) in ours:
                queued[int(match.group(2))] = int(match.group(3))
        elif event == "sched_migrate_task":
            match = MIGRATE.search(trace)
            if match and int(match.group(2)) in queued:
                wakee = int(match.group(2))
                if wakee in waiting_since:
                    close(wakee, time)
                queued[wakee] = int(match.group(3))
        account(time)
    return [run for run in runs if run[1] is not None]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--pause", type=float, default=0.05)
    parser.add_argument("--before")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command after --")
    with tempfile.TemporaryDirectory() as folder:
        text = record(command, args.runs, args.pause, args.before, os.path.join(folder, "sched.data"))
    runs = analyse(text, command[0])
    for start, end, cpu, packed, long_waits in runs:
        print(f"wall {1000 * (end - start):7.2f} ms  cpu {1000 * cpu:7.2f} ms  "
              f"packed {1000 * packed:6.2f} ms  waits over 1 ms: {long_waits}")
    if runs:
        print(f"median: wall {1000 * statistics.median(r[1] - r[0] for r in runs):.2f} ms, "
              f"packed {1000 * statistics.median(r[3] for r in runs):.2f} ms ({len(runs)} runs)")


if __name__ == "__main__":
    sys.exit(main())
