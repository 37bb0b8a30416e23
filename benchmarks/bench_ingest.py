"""Ingest throughput and peak memory of `cxmap ingest`, for Parquet and CSV event logs of several sizes.

Run from the repository root, with cxmap installed (`make install`):

    .venv/bin/python benchmarks/bench_ingest.py                      # 1M and 10M events, Parquet and CSV
    .venv/bin/python benchmarks/bench_ingest.py --sizes 100000       # a smoke check, a few seconds
    .venv/bin/python benchmarks/bench_ingest.py --sizes 1000000 --formats parquet --memory-limit 1GB
    .venv/bin/python benchmarks/bench_ingest.py --repeat 3        # the median of three runs of each case

The seeded generator (`python -m cxmap.synthetic`) writes each data set once under OUT/data; later runs
reuse it (a change to the generator's source makes a new one). Each case gets a fresh workspace, and
`cxmap ingest WS FILE --quiet --json` runs as a child process, timed from its start to its exit (Python
start-up included); its peak memory is the resident set size the operating system reports for it when it
ends. Every case is loaded twice: the second load of the same file loads nothing (every event is already
there), which measures the de-duplication against the store. The figures are printed as a Markdown table
and written to OUT/results.json.

The generator makes about the number of events asked for (the exact count depends on its draws); events
per second are computed from the rows the load actually read.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

TARGETS = {"parquet": 1_000_000, "csv": 300_000}  # events per second, on a 2-core machine


@dataclass
class Run:
    events: int  # as asked of the generator
    fmt: str
    load: str  # "first" or "reload"
    rows_read: int
    loaded: int
    file_mb: float
    seconds: float
    cpu_seconds: float  # user + system
    peak_mb: float  # MiB
    store_mb: float
    error: str | None = None  # the first line of the error when the load failed
    busy_before: str = ""  # the machine's load average and CPU pressure before and after the run (busy())
    busy_after: str = ""

    @property
    def per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0


def _cxmap() -> str:
    """The cxmap command of the interpreter running this script (the venv's), else the one on PATH."""
    here = Path(sys.executable).parent / "cxmap"
    found = str(here) if here.exists() else shutil.which("cxmap")
    if not found:
        sys.exit("cannot find the cxmap command: install cxmap (make install) or run with .venv/bin/python")
    return found


def _generator_version() -> str:
    """A short hash of the generator's source: a changed generator makes new data, not stale figures."""
    spec = importlib.util.find_spec("cxmap.synthetic")
    if spec is None or spec.origin is None:
        sys.exit("cannot find cxmap.synthetic: install cxmap (make install) or run with .venv/bin/python")
    return hashlib.sha256(Path(spec.origin).read_bytes()).hexdigest()[:8]


def _data(out: Path, events: int, fmt: str, seed: int) -> Path:
    """The events file for (events, fmt, seed), generated only when it is not there yet."""
    folder = out / "data" / f"{fmt}-{events}-seed{seed}-{_generator_version()}"
    path = folder / f"events.{fmt}"
    done = folder / "done"
    if path.exists() and done.exists():
        return path
    shutil.rmtree(folder, ignore_errors=True)
    print(f"generating about {events:,} events as {fmt} in {folder} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    cmd = [sys.executable, "-m", "cxmap.synthetic", str(folder), "--events", str(events)]
    subprocess.run([*cmd, "--format", fmt, "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    done.write_text("", encoding="utf-8")
    print(f"  generated in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    return path


def busy() -> str:
    """The 1-minute load average and the share of the last 10 s some task waited for a CPU: on a shared
    machine, what the wall times of a run should be read against."""
    try:
        load = Path("/proc/loadavg").read_text(encoding="ascii").split()[0]
        some = Path("/proc/pressure/cpu").read_text(encoding="ascii").splitlines()[0].split()[1]
        return f"load {load}, cpu pressure {some.removeprefix('avg10=')}%"
    except (OSError, IndexError):
        return ""


def _timed(cmd: list[str], log: Path) -> tuple[float, float, float, int, str]:
    """Run `cmd`: wall seconds, CPU seconds, peak RSS in MiB (of the process, or of a child it waited for that
    was larger), exit code, output."""
    with log.open("w", encoding="utf-8") as sink:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_kb = usage.ru_maxrss  # kilobytes on Linux
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, peak_kb / 1024, proc.returncode, log.read_text(encoding="utf-8")


def _workspace(cxmap: str, folder: Path, memory_limit: str | None) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([cxmap, "init", str(folder)], check=True, stdout=subprocess.DEVNULL)
    if memory_limit:
        with (folder / "cxmap.yaml").open("a", encoding="utf-8") as settings:
            settings.write(f"ingest:\n  memory_limit: {memory_limit}\n")


def _store_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("cxmap.duckdb*")) / 1e6


def run_case(cxmap: str, out: Path, events: int, fmt: str, seed: int, memory_limit: str | None) -> list[Run]:
    """A fresh workspace, the file loaded into it, then loaded again."""
    data = _data(out, events, fmt, seed)
    ws = out / "ws" / f"{fmt}-{events}"  # removed afterwards: a 10M-event store takes about 0.5 GB
    _workspace(cxmap, ws, memory_limit)
    runs = []
    for load in ("first", "reload"):
        log = out / "logs" / f"{fmt}-{events}-{load}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        before = busy()
        seconds, cpu, peak, code, text = _timed([cxmap, "ingest", str(ws), str(data), "--quiet", "--json"], log)
        run = Run(events, fmt, load, 0, 0, data.stat().st_size / 1e6, seconds, cpu, peak, _store_mb(ws))
        run.busy_before, run.busy_after = before, busy()
        if code == 0:
            result = json.loads(text[text.index("{") :])
            run.rows_read, run.loaded = int(result["rows_read"]), int(result["loaded"])
            said = f"{run.rows_read:,} rows, {run.per_second:,.0f} events/s, loaded {run.loaded:,}"
        else:
            first = (text.strip().splitlines() or ["no output"])[0].removeprefix("cxmap: internal error: ")
            first = first[:160].replace("|", "/")
            run.error = f"exit {code}: {first}"
            said = f"FAILED ({run.error}; full output in {log})"
        print(
            f"  {fmt} {events:,} {load}: {seconds:.2f} s (CPU {cpu:.2f} s), peak {peak:,.0f} MiB, {said} "
            f"[{run.busy_before} before; {run.busy_after} after]",
            file=sys.stderr,
            flush=True,
        )
        runs.append(run)
    shutil.rmtree(ws, ignore_errors=True)
    return runs


def table(runs: list[Run]) -> str:
    """One row per case and load: the run with the median time, the range of times, the largest peak."""
    head = (
        "| events | format | file MB | load | loaded | seconds (median) | range s | CPU s | events/s "
        "| target events/s | met | peak MiB (largest) |\n"
        "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|"
    )
    groups: dict[tuple[int, str, str], list[Run]] = {}
    for run in runs:
        groups.setdefault((run.events, run.fmt, run.load), []).append(run)
    rows = []
    for group in groups.values():
        failed = [r for r in group if r.error]
        ordered = sorted(failed or group, key=lambda r: r.seconds)
        r = ordered[(len(ordered) - 1) // 2]
        target = TARGETS[r.fmt]
        spread = f"{ordered[0].seconds:.2f}-{ordered[-1].seconds:.2f}" if len(group) > 1 else ""
        peak = max(x.peak_mb for x in group)
        if failed:
            rows.append(
                f"| {r.events:,} (asked) | {r.fmt} | {r.file_mb:,.0f} | {r.load} | failed ({len(failed)} of "
                f"{len(group)}): {r.error} | {r.seconds:.2f} | {spread} | {r.cpu_seconds:.2f} | | {target:,} | no "
                f"| {peak:,.0f} |"
            )
            continue
        met = "yes" if r.per_second >= target else "no"
        rows.append(
            f"| {r.rows_read:,} | {r.fmt} | {r.file_mb:,.0f} | {r.load} | {r.loaded:,} | {r.seconds:.2f} | {spread} "
            f"| {r.cpu_seconds:.2f} | {r.per_second:,.0f} | {target:,} | {met} | {peak:,.0f} |"
        )
    return "\n".join([head, *rows])


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB memory, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000], help="Events per file.")
    parser.add_argument("--formats", nargs="+", choices=["parquet", "csv"], default=["parquet", "csv"])
    parser.add_argument("--out", type=Path, default=Path("/tmp/cxmap-bench"), help="Data, workspaces and results.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--memory-limit", help="Set ingest.memory_limit in each workspace (default: cxmap's, 1GB).")
    parser.add_argument("--repeat", type=int, default=1, help="Runs of each case; the table shows the median.")
    parser.add_argument("--generate-only", action="store_true", help="Write the data sets, print their paths, stop.")
    args = parser.parse_args()

    cxmap = _cxmap()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.generate_only:
        for events in args.sizes:
            for fmt in args.formats:
                print(_data(args.out, events, fmt, args.seed))
        return
    runs: list[Run] = []
    for events in args.sizes:
        for fmt in args.formats:
            for _ in range(args.repeat):
                runs.extend(run_case(cxmap, args.out, events, fmt, args.seed, args.memory_limit))
    report = table(runs)
    print(f"\n{machine()}\n")
    print(report)
    settings = {"memory_limit": args.memory_limit, "repeat": args.repeat, "seed": args.seed}
    results = {"machine": machine(), **settings, "runs": [asdict(r) for r in runs]}
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if any(r.error for r in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
