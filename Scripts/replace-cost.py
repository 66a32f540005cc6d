#!/usr/bin/env python3
"""What replacing a file costs on the file system of a folder, the way a run replaces its outputs.

    Scripts/replace-cost.py [FOLDER] [--size 65536] [--rounds 30]

Each round writes a file of `--size` bytes, forces it to disk (so that its blocks are
allocated), writes its replacement beside it, then times one way of putting the replacement in
place; prints the median of each:

  over         rename onto the old file (its last name: the rename frees its blocks);
  linked away  a hard link to the old file first, then the rename (what `tmine run` does: the
               link's name is deleted later by `tmine flush-outputs`); the link is timed too;
  unlinked     the old file deleted, then the rename (frees the blocks as `over` does);
  fresh        the old file deleted before the clock starts: a rename onto a free name.

Why: on this project's VM (ext4 mounted with `discard`) freeing a file's blocks waits for the
disk, ~0.5 ms for a 64 kB file against 0.03 ms for a rename onto a free name (session 51), and
every run replaced a few such files on its way out. Where `over` costs no more than `linked
away`, setting replaced files aside buys nothing on that disk.
"""
import argparse
import os
import statistics
import tempfile
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default=".", help="where to write (default: here)")
    parser.add_argument("--size", type=int, default=65536)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    data = os.urandom(args.size)
    ways = ["over", "linked away", "unlinked", "fresh"]
    times = {way: [] for way in ways}
    with tempfile.TemporaryDirectory(dir=args.folder, prefix=".replace-cost-") as scratch:
        target = os.path.join(scratch, "target")
        replacement = os.path.join(scratch, "replacement")
        away = os.path.join(scratch, "away")

        def write(path):
            with open(path, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())

        for _ in range(args.rounds):
            for way in ways:
                write(target)
                write(replacement)
                time.sleep(0.02)
                if way == "fresh":
                    os.unlink(target)
                start = time.perf_counter()
                if way == "linked away":
                    os.link(target, away)
                elif way == "unlinked":
                    os.unlink(target)
                os.rename(replacement, target)
                times[way].append(1e6 * (time.perf_counter() - start))
                if way == "linked away":
                    os.unlink(away)
    print(f"replacing a {args.size}-byte file in {os.path.abspath(args.folder)}, median of {args.rounds}:")
    for way in ways:
        print(f"  {way:12s} {statistics.median(times[way]):8.0f} us")


if __name__ == "__main__":
    main()
