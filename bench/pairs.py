"""How fast port-pair mode is on a real pair (docs/port-pair.md, docs/reliability.md section 6).

    python bench/pairs.py --pair timm-mindcv [--repeats 3]   # a pinned pair (bench/corpus.py PAIRS)
    python bench/pairs.py ORIGINAL PORT [--repeats 3]         # any two folders

A pinned pair must be fetched first (``python bench/corpus.py fetch``). Each measurement is a fresh
``torch2ms`` process at ``-j1`` (its CPU time from ``os.wait4``), in a cache directory of its own:

1. ``torch2ms check`` without ``--original``: the baseline, what a normal run costs;
2. ``torch2ms check --original`` with an empty cache: the original tree parsed and indexed;
3. the same again: the original's index read back from the disk cache;
4. ``torch2ms pair``, from the cache: the alignment report and its coverage line.

The median of ``--repeats`` runs of each (2 to 4 alternate, so a busy machine slows them alike).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TORCH2MS = [sys.executable, "-m", "flake8_torch2ms.cli"]


def measured(arguments: list[str], cache: str) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, last line of standard output) of one torch2ms process."""
    environment = dict(os.environ, FLAKE8_TORCH2MS_CACHE_DIR=cache)
    start = time.perf_counter()
    process = subprocess.Popen([*TORCH2MS, *arguments], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=environment, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"torch2ms {' '.join(arguments)} failed")
    lines = output.splitlines()
    return wall, usage.ru_utime + usage.ru_stime, lines[-1] if lines else ""


def pinned_pair(name: str) -> tuple[str, str]:
    """The (original, port) folders of a pinned pair (bench/corpus.py's PAIRS)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import corpus  # bench/corpus.py

    try:
        folders = corpus.pair_folders(corpus.find_pair(name))
    except corpus.CorpusError as error:
        raise SystemExit(f"error: {error}")
    if folders is None:
        raise SystemExit(f"error: the pair {name} is not fetched: run `python bench/corpus.py fetch`")
    return str(folders[0]), str(folders[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", metavar="ORIGINAL PORT", help="the two folders, unless --pair")
    parser.add_argument("--pair", metavar="NAME", help="a pinned pair of bench/corpus.py's PAIRS, e.g. timm-mindcv")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if args.pair and not args.folders:
        args.original, args.port = pinned_pair(args.pair)
    elif len(args.folders) == 2 and not args.pair:
        args.original, args.port = args.folders
    else:
        parser.error("give either --pair NAME or ORIGINAL PORT")
    rows: dict[str, list[tuple[float, float]]] = {name: [] for name in ("baseline", "cold", "warm", "pair")}
    coverage = findings = ""
    for _ in range(args.repeats):
        cache = tempfile.mkdtemp(prefix="torch2ms-pairs-bench-")
        try:
            check = ["check", "-j", "1", args.port]
            rows["baseline"].append(measured(check, cache)[:2])
            paired = ["check", "-j", "1", "--original", args.original, args.port]
            rows["cold"].append(measured(paired, cache)[:2])
            wall, cpu, _ = measured(paired, cache)
            rows["warm"].append((wall, cpu))
            findings = subprocess.run([*TORCH2MS, *paired], capture_output=True, text=True,
                                      env=dict(os.environ, FLAKE8_TORCH2MS_CACHE_DIR=cache)).stdout.count("TMS4")
            wall, cpu, coverage = measured(["pair", args.original, args.port], cache)
            rows["pair"].append((wall, cpu))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    print(f"{'run':<10} {'wall s':>8} {'CPU s':>8}   (median of {args.repeats})")
    for name, values in rows.items():
        wall, cpu = statistics.median(w for w, _ in values), statistics.median(c for _, c in values)
        print(f"{name:<10} {wall:8.2f} {cpu:8.2f}")
    print(f"TMS4xx findings: {findings}; {coverage}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
