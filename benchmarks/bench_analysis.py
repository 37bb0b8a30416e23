"""Benchmark the measured map and the account answers against hand-written DuckDB SQL.

    .venv/bin/python benchmarks/bench_analysis.py --sizes 1000000 10000000

For each size: generate a seeded data set (cxmap.synthetic), load it into a fresh workspace (cached under
--out), then time, each in its own process so peak memory is the process's own:
- the full `cxmap analyze --map b2b-onboarding --outcome renewal --json`;
- `cxmap accounts --json` (worst-contact rollup of every account);
- the per-touchpoint statistics and the directly-follows graph, as cxmap computes them (Ibis) and as a
  person would write them in DuckDB SQL, on the same store, alternating runs; the ratio is cxmap / SQL.
  The per-touchpoint SQL is timed twice: the classic query (volume, reach and emotion), and one that
  computes every number cxmap reports (sentiment share, customers with a negative and a positive moment,
  all customers in scope), so the ratio to it is the cost of the Ibis code itself.
Prints a Markdown table to paste into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CXMAP = [sys.executable, "-m", "cxmap"]

HAND_TOUCHPOINTS = """
SELECT touchpoint, count(*) AS events, count(DISTINCT customer_id) AS customers, count(emotion) AS scored,
       avg(emotion) AS mean, stddev_samp(emotion) AS sd, median(emotion) AS median,
       sum(CASE WHEN emotion <= 3 THEN 1 ELSE 0 END) AS negative,
       sum(CASE WHEN emotion >= 9 THEN 1 ELSE 0 END) AS positive
FROM events GROUP BY touchpoint
"""
HAND_TOUCHPOINTS_SAME = """
SELECT touchpoint, count(*) AS events, count(DISTINCT customer_id) AS customers, count(emotion) AS scored,
       avg(emotion) AS mean, stddev_samp(emotion) AS sd, median(emotion) AS median,
       sum(CASE WHEN emotion <= 3 THEN 1 ELSE 0 END) AS negative,
       sum(CASE WHEN emotion >= 9 THEN 1 ELSE 0 END) AS positive,
       sum(CASE WHEN emotion IS NOT NULL AND emotion_source <> 'score' THEN 1 ELSE 0 END) AS sentiment,
       count(DISTINCT customer_id) FILTER (WHERE emotion <= 3) AS customers_negative,
       count(DISTINCT customer_id) FILTER (WHERE emotion >= 9) AS customers_positive,
       (SELECT count(DISTINCT customer_id) FROM events) AS all_customers
FROM events GROUP BY touchpoint
"""
HAND_DFG = """
WITH ordered AS (
    SELECT customer_id, touchpoint, "timestamp",
           lead(touchpoint) OVER w AS next_touchpoint, lead("timestamp") OVER w AS next_ts,
           row_number() OVER w = 1 AS is_first
    FROM events WINDOW w AS (PARTITION BY customer_id ORDER BY "timestamp", load_id, "row")
)
SELECT touchpoint, next_touchpoint, count(*) AS pairs, count(DISTINCT customer_id) AS customers,
       median((epoch(next_ts) - epoch("timestamp")) / 3600) AS median_hours, sum(is_first::INT) AS starts
FROM ordered GROUP BY ALL
"""

PART = """
import sys, time
from pathlib import Path
from cxmap.workspace import open_workspace
from cxmap.engine import connect
from cxmap.model import load_map
from cxmap.analytics.prepare import prepare
ws = open_workspace(Path(sys.argv[1])); con = connect(ws)
which = sys.argv[2]
p = prepare(con, load_map(ws.maps_dir / "b2b-onboarding.yaml"), ws.settings)  # untimed; reads the same data
if which == "hand":
    start = time.perf_counter(); con.con.execute(sys.argv[3]).fetch_arrow_table(); took = time.perf_counter() - start
else:
    from cxmap.analytics.touchpoints import touchpoint_stats
    from cxmap.analytics.journeys import edges
    start = time.perf_counter()
    touchpoint_stats(p) if which == "touchpoints" else edges(p.events).to_pyarrow()
    took = time.perf_counter() - start
print(took)
"""


MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one command, measured by a fresh parent of its own."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *args], check=True, capture_output=True, text=True)
    took, peak = out.stdout.split()
    return float(took), float(peak)


def timed_part(ws: Path, which: str, sql: str = "") -> float:
    out = subprocess.run([sys.executable, "-c", PART, str(ws), which, sql], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def workspace(size: int, out: Path, seed: int) -> Path:
    ws = out / f"ws-{size}"
    if (ws / "cxmap.duckdb").exists():
        return ws
    data = out / f"data-{size}"
    if not (data / "events.parquet").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cxmap.synthetic",
                str(data),
                "--events",
                str(size),
                "--seed",
                str(seed),
                "--format",
                "parquet",
            ],
            check=True,
        )
    shutil.rmtree(ws, ignore_errors=True)
    subprocess.run([*CXMAP, "init", str(ws)], check=True, stdout=subprocess.DEVNULL)
    shutil.copy(ROOT / "examples" / "maps" / "b2b-onboarding.yaml", ws / "maps")
    for kind, name in (("accounts", "accounts.csv"), ("contacts", "contacts.csv"), ("events", "events.parquet")):
        subprocess.run(
            [*CXMAP, "ingest", str(ws), str(data / name), "--kind", kind, "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return ws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--out", type=Path, default=Path("/tmp/cxmap-bench"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(
        "| events | full analyze s | peak MB | accounts s | peak MB | touchpoints cxmap/SQL | "
        "touchpoints cxmap/SQL, same answers | directly-follows cxmap/SQL |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        ws = workspace(size, args.out, args.seed)
        analyze = [
            run([*CXMAP, "analyze", str(ws), "--map", "b2b-onboarding", "--outcome", "renewal", "--json", "--quiet"])
            for _ in range(args.runs)
        ]
        accounts = [run([*CXMAP, "accounts", str(ws), "--json"]) for _ in range(args.runs)]
        ratios: dict[str, list[float]] = {"touchpoints": [], "same": [], "dfg": []}
        for _ in range(args.runs):
            cxmap = timed_part(ws, "touchpoints")
            ratios["touchpoints"].append(cxmap / timed_part(ws, "hand", HAND_TOUCHPOINTS))
            ratios["same"].append(cxmap / timed_part(ws, "hand", HAND_TOUCHPOINTS_SAME))
            ratios["dfg"].append(timed_part(ws, "dfg") / timed_part(ws, "hand", HAND_DFG))
        med = statistics.median
        print(
            f"| {size:,} | {med(a for a, _ in analyze):.1f} | {max(m for _, m in analyze):,.0f} | "
            f"{med(a for a, _ in accounts):.1f} | {max(m for _, m in accounts):,.0f} | "
            f"{med(ratios['touchpoints']):.2f} | {med(ratios['same']):.2f} | {med(ratios['dfg']):.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
