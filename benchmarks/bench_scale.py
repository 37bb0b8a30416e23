"""Scale: cxmap's four classic computations against hand-written DuckDB SQL, on DuckDB and on Spark.

    .venv/bin/python benchmarks/bench_scale.py            # 1M customers / 17.5M events; analyze on 10M: ~30 min
    .venv/bin/python benchmarks/bench_scale.py --levers   # also the levers below: about 50 minutes
    .venv/bin/python benchmarks/bench_scale.py --events 100000 --analyze-events 0 --repeat 1   # smoke, < 1 min

`--levers` (all of them, or those named) adds: `sorted`, a copy of the store with the events written again
in (customer_id, timestamp, load_id, row) order, and the full analyze on the store as loaded and sorted;
`monthly`, a copy sorted by month and then by customer (what monthly loads, each sorted, would leave);
`cached`, the shared scan: the prepared events kept once as a temporary table sorted by customer; and
`hand-sorted`, the hand SQL on a Parquet file sorted by customer. Two more, since loads write their events
sorted by customer and time (so the store as loaded, and the hand SQL's file of the store's events, are
sorted already): `hand-exported`, the hand SQL on the same events in the order of the file that was loaded
(time order, as an export arrives: the store's events ordered by load_id, row), and `unsorted`, a copy of the
store with its events written again in that order (what loads wrote before they sorted), with the full
analyze on it. These two do not bring `sorted` with them. `--spark-repeat 0` skips Spark,
`--analyze-events 0` the full analyze, `--no-memory` the pass that runs each side alone for its memory.

The data: the seeded generator (`python -m cxmap.synthetic --events N --customers N/17.5`), cached under
--out. The generator writes each customer's events together; a real export (a CRM's, a survey tool's) comes
in time order, so the events file is rewritten in time order, one Parquet file, and that file is loaded
(`cxmap init`, `cxmap ingest` of accounts, contacts and events) into a fresh workspace. The hand-written
SQL reads one Parquet file holding the store's events as loaded (same rows, same columns, same order, with
the emotion and the (load_id, row) order cxmap computed), so both sides compute the same numbers; the
script checks that they do.

The four computations, each timed as a median of --repeat runs in one process, alternating which side goes
first, after the files are read once into the page cache:
- per-touchpoint statistics: `touchpoint_stats` (what `cxmap analyze` runs) against one GROUP BY;
- the directly-follows graph: `journeys.edges` against one window pass (the hand SQL of bench_analysis.py);
- the top 20 variants: `journeys._variants` (what `journeys()` runs) against a list per customer;
- the worst-contact rollup: `service.accounts` (what `cxmap accounts` runs: as-of, memberships, each
  contact's experience over the last 90 days, the account's worst contact, open alerts) against a GROUP BY
  per contact and one per account.
Then the same cxmap functions on PySpark `local[2]` (the workspace's `spark:` settings), with Spark's own
task metrics (from its REST API) for the per-task throughput, and the full `cxmap analyze` on --analyze-events
events as a child process (wall time and peak resident memory).

Ratios are cxmap / hand SQL (below 1: cxmap is faster). Peak memory is the largest resident set of the
process during that computation (the kernel's high-water mark, reset before each run), for Spark that of
the JVM. Results go to stdout as Markdown and to OUT/results-EVENTS.json; the figures and what they mean
are in benchmarks/README.md ("Scale") and docs/scale.md.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CXMAP = [sys.executable, "-m", "cxmap"]
MAP = "b2b-onboarding"
EVENTS_PER_CUSTOMER = 17.5
COMPUTATIONS = ("touchpoints", "dfg", "variants", "rollup")
DIAGNOSTIC = ("rollup_core",)  # not one of the four: the part of the rollup the hand SQL also computes
TITLES = {
    "prepare": "prepare (once per analysis)",
    "touchpoints": "per-touchpoint statistics",
    "dfg": "directly-follows graph",
    "variants": "top 20 variants",
    "rollup": "worst-contact rollup",
    "rollup_core": "rollup, like for like",
}
ORDER = 'customer_id, "timestamp", load_id, "row"'
LEVERS = ("sorted", "monthly", "cached", "hand-sorted", "hand-exported", "unsorted")
NEEDS_SORTED = {"sorted", "monthly", "cached", "hand-sorted"}  # "sorted" comes with any of these
AS_EXPORTED = 'load_id, "row"'  # the order of the loaded file (time order): what loads wrote before they sorted
STORE = "cxmap.duckdb"
SPARK = {"master": "local[2]", "driver.memory": "6g", "ui.enabled": True, "ui.port": 4077}

# --- hand-written DuckDB SQL, as a person who knows DuckDB would write it ({E}: the events file) --------------

HAND = {
    # bench_analysis.py's, with the numbers cxmap also gives (sentiment count, customers with a negative and
    # with a positive moment, customers in scope), so that both sides compute the same.
    "touchpoints": """
SELECT touchpoint, count(*) AS events, count(DISTINCT customer_id) AS customers, count(emotion) AS scored,
       avg(emotion) AS mean, stddev_samp(emotion) AS sd, median(emotion) AS median,
       count(*) FILTER (WHERE emotion <= 3) AS negative, count(*) FILTER (WHERE emotion >= 9) AS positive,
       count(*) FILTER (WHERE emotion IS NOT NULL AND emotion_source <> 'score') AS sentiment,
       count(DISTINCT customer_id) FILTER (WHERE emotion <= 3) AS customers_negative,
       count(DISTINCT customer_id) FILTER (WHERE emotion >= 9) AS customers_positive,
       (SELECT count(DISTINCT customer_id) FROM {E}) AS all_customers
FROM {E} GROUP BY touchpoint
""",
    # bench_analysis.py's, as it is.
    "dfg": """
WITH ordered AS (
    SELECT customer_id, touchpoint, "timestamp",
           lead(touchpoint) OVER w AS next_touchpoint, lead("timestamp") OVER w AS next_ts,
           row_number() OVER w = 1 AS is_first
    FROM {E} WINDOW w AS (PARTITION BY customer_id ORDER BY "timestamp", load_id, "row")
)
SELECT touchpoint, next_touchpoint, count(*) AS pairs, count(DISTINCT customer_id) AS customers,
       median((epoch(next_ts) - epoch("timestamp")) / 3600) AS median_hours, sum(is_first::INT) AS starts
FROM ordered GROUP BY ALL
""",
    # The natural `list(touchpoint ORDER BY "timestamp", load_id, "row")` (or string_agg with ORDER BY) runs
    # out of memory at 1M customers on DuckDB 1.5 (see ORDERED_AGGREGATE); sorting a list of structs is what
    # a person then writes, and what DuckDB runs in bounded memory.
    "variants": """
WITH journeys AS (
    SELECT customer_id,
           list_transform(list_sort(list({{'t': "timestamp", 'l': load_id, 'r': "row", 'tp': touchpoint}})),
                          x -> x.tp) AS sequence
    FROM {E} GROUP BY customer_id
)
SELECT sequence, count(*) AS customers, count(*) OVER () AS variant_count
FROM journeys GROUP BY sequence ORDER BY customers DESC, sequence LIMIT 20
""",
    # Each contact's current experience: mean emotion of their scored events in the 90 days before the latest
    # event; an account's: its worst contact's (ties: the smallest customer id).
    "rollup": """
WITH as_of AS (SELECT max("timestamp") AS t FROM {E}),
experience AS (
    SELECT customer_id, avg(emotion) AS experience
    FROM {E}, as_of
    WHERE emotion IS NOT NULL AND "timestamp" > t - INTERVAL 90 DAY AND "timestamp" <= t
    GROUP BY customer_id
)
SELECT c.account_id, min(x.experience) AS experience,
       arg_min(c.customer_id, (x.experience, c.customer_id)) FILTER (WHERE x.experience IS NOT NULL) AS set_by,
       count(*) AS contacts, count(x.experience) AS scored_contacts
FROM {C} c LEFT JOIN experience x USING (customer_id)
WHERE c.account_id IS NOT NULL
GROUP BY c.account_id
""",
}
ORDERED_AGGREGATE = """
WITH journeys AS (
    SELECT customer_id, list(touchpoint ORDER BY "timestamp", load_id, "row") AS sequence FROM {E} GROUP BY customer_id
)
SELECT sequence, count(*) AS customers, count(*) OVER () AS variant_count
FROM journeys GROUP BY sequence ORDER BY customers DESC, sequence LIMIT 20
"""

# --- the child processes ----------------------------------------------------------------------------------------

CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import bench_scale as B
spec = json.loads(sys.argv[2])
print(json.dumps(B.child(spec)))
"""


def peak_reset(pid: int | str = "self") -> None:
    """Reset the kernel's high-water mark of resident memory of `pid` (Linux 4.0+; silently not elsewhere)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_mib(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cxmap_parts(con: Any, ws: Any, cache: str | None = None) -> dict[str, Any]:
    """The four computations as cxmap runs them, on any Ibis backend; each returns a comparable fingerprint.

    `cache`: the shared-scan experiment; after `prepare`, the columns the findings read are kept once as a
    temporary table (Ibis `.cache()`: a DuckDB temporary table, a persisted Spark DataFrame), sorted by
    customer and time when `cache` is "sorted", and every finding but the rollup reads that.
    """
    import ibis

    from cxmap.accounts.base import events_as_of, memberships, resolve_as_of
    from cxmap.accounts.health import contact_experience
    from cxmap.analytics.journeys import _variants, edges  # _variants: what journeys() runs for the top N
    from cxmap.analytics.prepare import prepare
    from cxmap.analytics.touchpoints import touchpoint_stats
    from cxmap.model import load_map
    from cxmap.service.accounts import Context, accounts

    the_map = load_map(ws.maps_dir / f"{MAP}.yaml")
    top = ws.settings.analysis.top_variants
    state: dict[str, Any] = {}

    def prepared() -> None:
        p = prepare(con, the_map, ws.settings)
        if cache:
            keep = p.events.select(
                "customer_id", "ts", "load_id", "row", "touchpoint", "raw_touchpoint", "emotion", "emotion_source"
            )
            p.events = (keep.order_by(["customer_id", "ts", "load_id", "row"]) if cache == "sorted" else keep).cache()
        state["p"] = p

    def touchpoints() -> Any:
        return [
            (t.events, t.customers, t.scored_events, t.customers_negative, t.customers_positive)
            for t in touchpoint_stats(state["p"])
        ]

    def dfg() -> Any:
        rows = edges(state["p"].events).to_pyarrow().to_pylist()
        return [(r["count"], r["customers"], r["starts"], round(r["median_hours"] or 0, 6)) for r in rows]

    def variants() -> Any:
        rows = _variants(state["p"].events, top).to_pyarrow().to_pylist()
        return [(r["customers"], r["variant_count"]) for r in rows]

    def rollup() -> Any:  # what `cxmap accounts` runs (service.context, then service.accounts)
        moment = resolve_as_of(con, ws.settings, None)
        p = events_as_of(con, None, ws.settings, moment)
        rows = accounts(Context(ws, con, moment, p, memberships(con, p.events), None))
        return [(r["account_id"], _round(r["experience"]), r["set_by"]) for r in rows if r["contacts"]]

    def rollup_core() -> Any:  # the same question as the hand SQL: listed contacts only, worst per account
        moment = resolve_as_of(con, ws.settings, None)
        experience = contact_experience(events_as_of(con, None, ws.settings, moment), moment)
        contacts = con.table("contacts").filter(ibis._.account_id.notnull())
        joined = contacts.left_join(experience, contacts.customer_id == experience.customer_id)
        worst = joined.group_by(contacts.account_id).aggregate(experience=joined.experience.min())
        return [(r["account_id"], _round(r["experience"])) for r in worst.to_pyarrow().to_pylist()]

    return {
        "prepare": prepared,
        "touchpoints": touchpoints,
        "dfg": dfg,
        "variants": variants,
        "rollup": rollup,
        "rollup_core": rollup_core,
    }


def _round(value: float | None) -> float | None:
    return round(value, 9) if value is not None else None


def fingerprint(answer: list[Any]) -> str:
    """A short digest of an answer, the same whichever engine or side computed it."""
    return hashlib.sha256(repr(sorted(answer, key=repr)).encode()).hexdigest()[:16]


def hand_parts(con: Any, events: str, contacts: str) -> dict[str, Any]:
    def run(name: str) -> Any:
        sql = HAND[name].format(E=f"read_parquet('{events}')", C=f"read_parquet('{contacts}')")
        return con.execute(sql).fetchall()

    def touchpoints() -> Any:
        return [(r[1], r[2], r[3], r[10], r[11]) for r in run("touchpoints")]

    def dfg() -> Any:
        return [(r[2], r[3], r[5], round(r[4] or 0, 6)) for r in run("dfg")]

    def variants() -> Any:
        return [(r[1], r[2]) for r in run("variants")]

    def rollup() -> Any:
        return [(r[0], _round(r[1]), r[2]) for r in run("rollup")]

    def rollup_core() -> Any:
        return [(r[0], _round(r[1])) for r in run("rollup")]

    return {"touchpoints": touchpoints, "dfg": dfg, "variants": variants, "rollup": rollup, "rollup_core": rollup_core}


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run in a child process: `duckdb` (hand SQL and cxmap cases, alternating) or `spark`."""
    return _spark_child(spec) if spec["engine"] == "pyspark" else _duckdb_child(spec)


def _duckdb_child(spec: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    from cxmap.engine import connect
    from cxmap.workspace import open_workspace

    cases: dict[str, dict[str, Any]] = {}
    for case in spec["cases"]:
        for path in case.get("warm", []):  # read the files once, so that no side pays for the disk
            with open(path, "rb") as handle:
                while handle.read(1 << 24):
                    pass
        if case["kind"] == "hand":
            con = duckdb.connect()
            con.execute("SET enable_progress_bar = false")
            cases[case["label"]] = hand_parts(con, case["events"], case["contacts"])
        else:
            ws = open_workspace(Path(case["workspace"]))
            backend = connect(ws)
            backend.raw_sql("SET enable_progress_bar = false")
            cases[case["label"]] = cxmap_parts(backend, ws, case.get("cache"))
    out: dict[str, Any] = {"runs": {}, "cpu": {}, "peak_mib": {}, "answers": {}, "errors": {}}
    labels = list(cases)
    for label in labels:  # prepare (distinct raw names) once per cxmap case, timed
        if "prepare" in cases[label]:
            peak_reset()
            start, cpu = time.perf_counter(), time.process_time()
            cases[label]["prepare"]()
            out["runs"].setdefault(label, {})["prepare"] = [time.perf_counter() - start]
            out["cpu"].setdefault(label, {})["prepare"] = [time.process_time() - cpu]
            out["peak_mib"].setdefault(label, {})["prepare"] = peak_mib()
    for name in spec["computations"]:
        for i in range(spec["repeat"]):
            for label in labels if i % 2 == 0 else labels[::-1]:
                peak_reset()
                start, cpu = time.perf_counter(), time.process_time()
                try:
                    answer = cases[label][name]()
                except Exception as exc:  # an engine running out of memory is a result, not a crash
                    out["errors"].setdefault(label, {})[name] = str(exc).splitlines()[0][:200]
                    continue
                took = time.perf_counter() - start
                out["runs"].setdefault(label, {}).setdefault(name, []).append(took)
                out["cpu"].setdefault(label, {}).setdefault(name, []).append(time.process_time() - cpu)
                peak = max(out["peak_mib"].setdefault(label, {}).get(name, 0.0), peak_mib())
                out["peak_mib"][label][name] = peak
                if i == 0:
                    out["answers"].setdefault(label, {})[name] = fingerprint(answer)
            print(f"  {name} round {i + 1}: done", file=sys.stderr, flush=True)
    # the resets above also reset ru_maxrss: the process's peak is the largest of the peaks recorded
    out["process_peak_mib"] = max((m for found in out["peak_mib"].values() for m in found.values()), default=0.0)
    if spec.get("ordered_aggregate"):
        out["ordered_aggregate"] = _ordered_aggregate(spec["ordered_aggregate"])
    return out


def _ordered_aggregate(events: str) -> dict[str, Any]:
    """The variants as most people first write them: an ordered list aggregate (memory capped at 8 GB)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET memory_limit = '8GB'; SET enable_progress_bar = false")
    peak_reset()
    start = time.perf_counter()
    try:
        con.execute(ORDERED_AGGREGATE.format(E=f"read_parquet('{events}')")).fetchall()
        error = None
    except duckdb.Error as exc:
        error = str(exc).splitlines()[0][:200]
    return {"seconds": time.perf_counter() - start, "peak_mib": peak_mib(), "error": error}


def _spark_child(spec: dict[str, Any]) -> dict[str, Any]:
    from cxmap.engine import connect
    from cxmap.workspace import open_workspace
    from cxmap.workspace.export import snapshot

    ws = open_workspace(Path(spec["workspace"])).using("pyspark")
    out: dict[str, Any] = {"runs": {}, "peak_mib": {}, "tasks": {}, "answers": {}}
    start = time.perf_counter()
    snapshot(ws)  # made once after each load; the first Spark run of a workspace pays for it
    out["snapshot_s"] = time.perf_counter() - start
    start = time.perf_counter()
    backend = connect(ws)
    out["connect_s"] = time.perf_counter() - start
    spark = backend._session
    sc = spark.sparkContext
    jvm = int(sc._jvm.java.lang.ProcessHandle.current().pid())
    out["partitions"] = {
        "scan": spark.table("events").rdd.getNumPartitions(),
        "shuffle": int(spark.conf.get("spark.sql.shuffle.partitions")),
        "adaptive": spark.conf.get("spark.sql.adaptive.enabled"),
        "cores": sc.defaultParallelism,
    }
    parts = cxmap_parts(backend, ws, spec.get("cache"))
    for name in ["prepare", *spec["computations"]]:
        for i in range(spec["repeat"] if name != "prepare" else 1):
            group = f"{name}-{i}"
            sc.setJobGroup(group, group)
            peak_reset(jvm)
            start = time.perf_counter()
            answer = parts[name]()
            took = time.perf_counter() - start
            out["runs"].setdefault(name, []).append(took)
            out["peak_mib"][name] = max(out["peak_mib"].get(name, 0.0), peak_mib(jvm))
            out["tasks"].setdefault(name, []).append(_task_metrics(sc, group))
            if i == 0 and name != "prepare":
                out["answers"][name] = fingerprint(answer)
            print(f"  spark {name} run {i + 1}: {took:.1f} s", file=sys.stderr, flush=True)
    out["events"] = int(spark.table("events").count())
    return out


def _task_metrics(sc: Any, group: str) -> dict[str, float]:
    """Spark's own metrics of the jobs of one group: task seconds, tasks, records read, bytes shuffled."""
    import urllib.request

    base = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}"

    def get(path: str) -> Any:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return json.load(response)

    total = {"task_s": 0.0, "cpu_s": 0.0, "tasks": 0, "stages": 0, "input_records": 0, "shuffle_write_mb": 0.0}
    for _ in range(20):  # the listener bus is asynchronous: wait until the group's jobs are all recorded
        jobs = [j for j in get("/jobs") if j.get("jobGroup") == group]
        if jobs and all(j["status"] != "RUNNING" for j in jobs):
            break
        time.sleep(0.5)
    for job in jobs:
        for stage_id in job["stageIds"]:
            for attempt in get(f"/stages/{stage_id}"):
                if attempt["status"] != "COMPLETE":
                    continue
                total["task_s"] += attempt["executorRunTime"] / 1000
                total["cpu_s"] += attempt["executorCpuTime"] / 1e9
                total["tasks"] += attempt["numCompleteTasks"]
                total["stages"] += 1
                total["input_records"] += attempt["inputRecords"]
                total["shuffle_write_mb"] += attempt["shuffleWriteBytes"] / 2**20
    return total


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(Path(__file__).parent), json.dumps(spec)],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# --- data and workspaces -----------------------------------------------------------------------------------------


def duck(sql: str, database: str = ":memory:") -> list[Any]:
    import duckdb

    con = duckdb.connect(database)
    try:
        con.execute("SET enable_progress_bar = false")
        return con.execute(sql).fetchall()
    finally:
        con.close()


def dataset(events: int, customers: int, out: Path, seed: int) -> Path:
    """The generator's files, with the events rewritten in time order (as an export arrives): events.parquet."""
    data = out / f"data-{events}"
    source = data / "events.parquet"
    if source.exists():
        return data
    generated = data / "generated"
    subprocess.run(
        [
            *[sys.executable, "-m", "cxmap.synthetic", str(generated)],
            *["--events", str(events), "--customers", str(customers), "--seed", str(seed), "--format", "parquet"],
        ],
        check=True,
    )
    for name in ("accounts.csv", "contacts.csv"):
        shutil.move(generated / name, data / name)
    duck(
        f"COPY (SELECT * FROM read_parquet('{generated / 'events.parquet'}') "
        f"ORDER BY \"timestamp\", customer_id, touchpoint) TO '{data / 'partial.parquet'}' (FORMAT parquet)"
    )
    (data / "partial.parquet").rename(source)
    shutil.rmtree(generated)
    return data


def workspace(data: Path, ws: Path) -> Path:
    """A fresh workspace with the data loaded (cached: reused when its store exists)."""
    if (ws / STORE).exists() and (ws / ".loaded").exists():
        return ws
    shutil.rmtree(ws, ignore_errors=True)
    subprocess.run([*CXMAP, "init", str(ws)], check=True, stdout=subprocess.DEVNULL)
    shutil.copy(ROOT / "examples" / "maps" / f"{MAP}.yaml", ws / "maps")
    spark = "".join(f"  {k}: {json.dumps(v)}\n" for k, v in SPARK.items())
    with (ws / "cxmap.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"spark:\n{spark}")
    for kind, name in (("accounts", "accounts.csv"), ("contacts", "contacts.csv"), ("events", "events.parquet")):
        start = time.perf_counter()
        subprocess.run([*CXMAP, "ingest", str(ws), str(data / name), "--kind", kind, "--quiet"], check=True)
        print(f"  ingest {kind}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    (ws / ".loaded").touch()
    return ws


def hand_files(ws: Path, data: Path, order: str | None = None, name: str = "sorted") -> tuple[Path, Path]:
    """The store's events (in the store's order, or in `order`) and contacts as one Parquet file each."""
    events = data / ("store-events.parquet" if order is None else f"store-events-{name}.parquet")
    contacts = data / "store-contacts.parquet"
    store = ws / "cxmap.duckdb"
    if not events.exists():
        sort = f" ORDER BY {order}" if order else ""
        duck(f"COPY (SELECT * FROM events{sort}) TO '{events}.part' (FORMAT parquet)", str(store))
        Path(f"{events}.part").rename(events)
    if not contacts.exists():
        duck(f"COPY (SELECT * FROM contacts) TO '{contacts}.part' (FORMAT parquet)", str(store))
        Path(f"{contacts}.part").rename(contacts)
    return events, contacts


def scratch_store(ws: Path, out: Path, name: str, order: str) -> tuple[Path, float]:
    """A copy of the workspace whose events table is rewritten in `order`; the seconds the rewrite took."""
    copy = out / name
    marker = copy / ".rewritten"
    if marker.exists():
        return copy, float(marker.read_text())
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(ws, copy, ignore=shutil.ignore_patterns("snapshot", "tmp"))
    import duckdb

    con = duckdb.connect(str(copy / "cxmap.duckdb"))
    con.execute("SET enable_progress_bar = false")
    con.execute("CREATE TEMP TABLE loaded AS SELECT * FROM events")
    con.execute("DELETE FROM events")
    start = time.perf_counter()
    con.execute(f"INSERT INTO events SELECT * FROM loaded ORDER BY {order}")
    took = time.perf_counter() - start
    con.execute("CHECKPOINT")
    con.close()
    marker.write_text(str(took))
    return copy, took


def clustering(ws: Path) -> float:
    """Share of neighbouring events (in storage order) that belong to the same customer, in time order."""
    rows = duck(
        """SELECT avg(CASE WHEN customer_id = prev AND "timestamp" >= prev_ts THEN 1 ELSE 0 END) FROM (
            SELECT customer_id, "timestamp", lag(customer_id) OVER (ORDER BY rowid) AS prev,
                   lag("timestamp") OVER (ORDER BY rowid) AS prev_ts FROM events)""",
        str(ws / "cxmap.duckdb"),
    )
    return float(rows[0][0])


def analyze(ws: Path, runs: int) -> dict[str, Any]:
    """The full `cxmap analyze` as a child process: wall seconds and peak resident memory (MiB)."""
    command = [*CXMAP, "analyze", str(ws), "--map", MAP, "--outcome", "renewal", "--json", "--quiet"]
    results: list[dict[str, Any]] = []
    for _ in range(runs):
        timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
        start = time.perf_counter()
        done = subprocess.run([*timer, *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        if done.returncode:
            raise SystemExit(f"cxmap analyze failed: {done.stderr[-2000:]}")
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", done.stderr))
        results.append({"seconds": wall, "cpu_s": cpu, "peak_mib": int(found.group(1)) / 1024 if found else None})
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "runs": results,
        "peak_mib": max((r["peak_mib"] or 0) for r in results),
    }


def analyze_workspace(args: argparse.Namespace) -> Path:
    """The workspace for the full analysis: --analyze-workspace, bench_analysis.py's, or one made here."""
    if args.analyze_workspace:
        return Path(args.analyze_workspace)
    shared = Path(f"/tmp/cxbench/ws-{args.analyze_events}")
    if (shared / "cxmap.duckdb").exists() and (shared / "maps" / f"{MAP}.yaml").exists():
        return shared
    data = args.out / f"data-analyze-{args.analyze_events}"
    if not (data / "events.parquet").exists():
        subprocess.run(
            [
                *[sys.executable, "-m", "cxmap.synthetic", str(data), "--events", str(args.analyze_events)],
                *["--seed", str(args.seed), "--format", "parquet"],
            ],
            check=True,
        )
    return workspace(data, args.out / f"ws-analyze-{args.analyze_events}")


# --- the report --------------------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _cell(runs: dict[str, Any], label: str, name: str) -> float:
    return median(runs.get(label, {}).get(name, []))


def report(results: dict[str, Any]) -> None:
    """Markdown tables for benchmarks/README.md."""
    duckdb_out = results["duckdb"]
    runs, cpu = duckdb_out["runs"], duckdb_out["cpu"]
    labels = [label for label in runs if label != "hand"]
    names = [n for n in [*COMPUTATIONS, *DIAGNOSTIC] if n in runs.get("hand", {})]
    print(
        f"\n{results['events']:,} events, {results['customers']:,} customers, {results['date']}; load average "
        f"(1, 5, 15 min) before {results['load_before']}, after {results['load_after']}; neighbouring events of "
        f"the same customer in storage order: {results['clustering']:.3f}"
        + "".join(f", {k} {v:.3f}" for k, v in results.get("clustering_levers", {}).items())
    )
    print("\nSeconds: median wall (median CPU) of the runs; ratio: cxmap / hand SQL, wall (CPU).\n")
    head = ["computation", "hand SQL s", *[f"{label} s" for label in labels], *[f"{label} / hand" for label in labels]]
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    total = {label: [0.0, 0.0] for label in ["hand", *labels]}
    for name in ["prepare", *names]:
        cells = [TITLES[name]]
        for label in ["hand", *labels]:
            wall, used = _cell(runs, label, name), _cell(cpu, label, name)
            cells.append(f"{wall:.2f} ({used:.2f})" if wall == wall else "")
            if name not in DIAGNOSTIC and wall == wall:
                total[label][0] += wall
                total[label][1] += used
        for label in labels:
            hand, mine = _cell(runs, "hand", name), _cell(runs, label, name)
            hand_cpu, mine_cpu = _cell(cpu, "hand", name), _cell(cpu, label, name)
            ok = name != "prepare" and mine == mine and hand == hand
            cells.append(f"{mine / hand:.2f} ({mine_cpu / hand_cpu:.2f})" if ok else "")
        print("| " + " | ".join(cells) + " |")
    cells = ["**the four, with prepare**"] + [f"{w:.1f} ({c:.1f})" for w, c in total.values()]
    cells += [
        f"**{total[label][0] / total['hand'][0]:.2f}** ({total[label][1] / total['hand'][1]:.2f})" for label in labels
    ]
    print("| " + " | ".join(cells) + " |")

    reference = duckdb_out["answers"].get("hand", {})
    spark = results.get("spark")
    answers = {**duckdb_out["answers"], **({"Spark": spark["answers"]} if spark else {})}
    same = {
        label: sorted(name for name, digest in found.items() if digest != reference.get(name))
        for label, found in answers.items()
        if label != "hand"
    }
    print("\nanswers that differ from the hand SQL's: " + json.dumps(same))
    if duckdb_out.get("errors"):
        print("errors: " + json.dumps(duckdb_out["errors"]))
    print(f"peak memory of the process running all the cases above: {duckdb_out['process_peak_mib']:,.0f} MiB")
    if duckdb_out.get("ordered_aggregate"):
        found = duckdb_out["ordered_aggregate"]
        print(
            f"hand variants with list(touchpoint ORDER BY ...), memory_limit 8GB: {found['seconds']:.1f} s, "
            f"peak {found['peak_mib']:,.0f} MiB, {found['error'] or 'completed'}"
        )
    if "rewrites" in results:
        print("seconds to write the events table again in order: " + json.dumps(results["rewrites"]))

    if results.get("memory"):
        print("\nPeak resident memory (MiB), each side alone in a process, one run of each computation:\n")
        names4 = [n for n in COMPUTATIONS if n in names]
        print("| side | " + " | ".join(TITLES[n] for n in names4) + " | process |\n|" + "---|" * (len(names4) + 2))
        for label, found in results["memory"].items():
            peaks = found["peak_mib"].get(label, {})
            print(
                f"| {label} | "
                + " | ".join(f"{peaks.get(n, 0):,.0f}" for n in names4)
                + f" | {found['process_peak_mib']:,.0f} |"
            )

    if spark:
        hand_total = sum(_cell(runs, "hand", n) for n in COMPUTATIONS if n in names)
        spark_total = sum(median(spark["runs"].get(n, [])) for n in ["prepare", *COMPUTATIONS] if n in spark["runs"])
        print(
            f"\nSpark local[2], {json.dumps(results['spark_conf'])}: snapshot {spark['snapshot_s']:.1f} s (once per "
            f"load), session and views {spark['connect_s']:.1f} s; partitions {json.dumps(spark['partitions'])}; "
            f"the four with prepare {spark_total:.1f} s = {spark_total / hand_total:.1f} x the hand SQL on DuckDB\n"
        )
        print(
            "| computation | wall s | / hand SQL | task s | task CPU s | tasks | stages | events / task-second | "
            "events / task CPU-second | shuffle write MiB | peak JVM MiB |\n|" + "---|" * 11
        )
        task_total = [0.0, 0.0]
        for name in ["prepare", *COMPUTATIONS]:
            found = spark["tasks"].get(name, [])
            if not found:
                continue
            task, used = median([r["task_s"] for r in found]), median([r["cpu_s"] for r in found])
            task_total[0] += task
            task_total[1] += used
            wall = median(spark["runs"][name])
            hand = _cell(runs, "hand", name)
            print(
                f"| {TITLES[name]} | {wall:.1f} | {f'{wall / hand:.1f}' if hand == hand else ''} | {task:.1f} | "
                f"{used:.1f} | {found[0]['tasks']} | {found[0]['stages']} | {spark['events'] / task:,.0f} | "
                f"{spark['events'] / used:,.0f} | {found[0]['shuffle_write_mb']:,.0f} | "
                f"{spark['peak_mib'].get(name, 0):,.0f} |"
            )
        print(
            f"| **the four, with prepare** | {spark_total:.1f} | {spark_total / hand_total:.1f} | "
            f"{task_total[0]:.1f} | {task_total[1]:.1f} | | | {spark['events'] / task_total[0]:,.0f} | "
            f"{spark['events'] / task_total[1]:,.0f} | | |"
        )

    for found in [results.get("analyze"), *results.get("analyze_levers", [])]:
        if found:
            print(
                f"\nfull `cxmap analyze` on {found['workspace']} ({found.get('events', 0):,} events, neighbouring "
                f"events of one customer {found.get('clustering', float('nan')):.3f}): {found['seconds']:.1f} s wall "
                f"(median of {len(found['runs'])}), {median([r['cpu_s'] for r in found['runs']]):.1f} CPU s, "
                f"peak {found['peak_mib']:,.0f} MiB"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=17_500_000, help="events of the main data set")
    parser.add_argument("--customers", type=int, default=None, help="default: events / 17.5")
    parser.add_argument("--out", type=Path, default=Path("/tmp/cxmap-scale"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each computation on DuckDB (median)")
    parser.add_argument("--spark-repeat", type=int, default=1, help="runs of each computation on Spark (0: skip)")
    parser.add_argument("--analyze-events", type=int, default=10_000_000, help="0: skip the full analyze")
    parser.add_argument("--analyze-workspace", default=None, help="default: /tmp/cxbench/ws-N if it exists")
    parser.add_argument("--analyze-runs", type=int, default=1)
    parser.add_argument("--only", nargs="+", choices=[*COMPUTATIONS, *DIAGNOSTIC], default=[*COMPUTATIONS, *DIAGNOSTIC])
    parser.add_argument("--no-memory", action="store_true", help="skip the memory pass (each side in a process)")
    parser.add_argument(
        "--levers",
        nargs="*",
        choices=LEVERS,
        default=None,
        help="also measure (all when none is named): a store sorted by customer and time, one sorted within "
        "monthly loads, the shared (cached) scan, the hand SQL on a sorted file, the hand SQL on the events in the "
        "loaded file's order (hand-exported), a store in that order (unsorted); and the full analyze on the main "
        "store, as loaded, sorted and unsorted",
    )
    args = parser.parse_args()
    levers = set(LEVERS if args.levers == [] else args.levers or [])
    args.out.mkdir(parents=True, exist_ok=True)
    customers = args.customers or max(int(args.events / EVENTS_PER_CUSTOMER), 10)
    data = dataset(args.events, customers, args.out, args.seed)
    ws = workspace(data, args.out / f"ws-{args.events}")
    events_file, contacts_file = hand_files(ws, data)
    results: dict[str, Any] = {
        "events": duck(f"SELECT count(*) FROM read_parquet('{events_file}')")[0][0],
        "customers": customers,
        "clustering": clustering(ws),
        "load_before": loadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "spark_conf": SPARK,
    }
    hand = {"kind": "hand", "events": str(events_file), "contacts": str(contacts_file)}
    cases: list[dict[str, Any]] = [
        {"label": "hand", **hand, "warm": [str(events_file), str(ws / "cxmap.duckdb")]},
        {"label": "cxmap", "kind": "cxmap", "workspace": str(ws)},
    ]
    sorted_ws = ws
    if levers & NEEDS_SORTED:
        sorted_ws, sort_s = scratch_store(ws, args.out, f"scratch-{args.events}-sorted", ORDER)
        results["rewrites"] = {"sorted": round(sort_s, 1)}
        results["clustering_levers"] = {"sorted": clustering(sorted_ws)}
        cases.append(
            {"label": "cxmap sorted", "kind": "cxmap", "workspace": str(sorted_ws), "warm": [str(sorted_ws / STORE)]}
        )
    if "monthly" in levers:
        monthly_ws, monthly_s = scratch_store(
            ws, args.out, f"scratch-{args.events}-monthly", f"date_trunc('month', \"timestamp\"), {ORDER}"
        )
        results["rewrites"]["sorted within each month"] = round(monthly_s, 1)
        results["clustering_levers"]["monthly"] = clustering(monthly_ws)
        cases.append(
            {"label": "cxmap monthly", "kind": "cxmap", "workspace": str(monthly_ws), "warm": [str(monthly_ws / STORE)]}
        )
    if "cached" in levers:
        cases.append({"label": "cxmap cached", "kind": "cxmap", "workspace": str(ws), "cache": "sorted"})
    if "hand-sorted" in levers:
        sorted_file, _ = hand_files(ws, data, ORDER)
        cases.append({**hand, "label": "hand sorted", "events": str(sorted_file), "warm": [str(sorted_file)]})
    if "hand-exported" in levers:
        exported_file, _ = hand_files(ws, data, AS_EXPORTED, "exported")
        cases.append({**hand, "label": "hand exported", "events": str(exported_file), "warm": [str(exported_file)]})
    unsorted_ws = None
    if "unsorted" in levers:
        unsorted_ws, unsorted_s = scratch_store(ws, args.out, f"scratch-{args.events}-unsorted", AS_EXPORTED)
        results.setdefault("rewrites", {})["unsorted"] = round(unsorted_s, 1)
        results.setdefault("clustering_levers", {})["unsorted"] = clustering(unsorted_ws)
        cases.append(
            {
                "label": "cxmap unsorted",
                "kind": "cxmap",
                "workspace": str(unsorted_ws),
                "warm": [str(unsorted_ws / STORE)],
            }
        )
    spec = {
        "engine": "duckdb",
        "cases": cases,
        "computations": args.only,
        "repeat": args.repeat,
        "ordered_aggregate": str(events_file) if "variants" in args.only else None,
    }
    print(f"DuckDB: {len(cases)} cases x {len(args.only)} computations x {args.repeat}", file=sys.stderr)
    results["duckdb"] = run_child(spec)
    if not args.no_memory:
        results["memory"] = {}
        for case in cases[:2] + [c for c in cases if c["label"] == "cxmap sorted"]:
            print(f"memory: {case['label']}", file=sys.stderr)
            alone = {**spec, "cases": [case], "repeat": 1, "ordered_aggregate": None}
            alone["computations"] = [n for n in args.only if n in COMPUTATIONS]
            results["memory"][case["label"]] = run_child(alone)
    if args.spark_repeat:
        print("Spark local[2]", file=sys.stderr)
        four = [n for n in args.only if n in COMPUTATIONS]
        results["spark"] = run_child(
            {"engine": "pyspark", "workspace": str(ws), "computations": four, "repeat": args.spark_repeat}
        )
    if args.analyze_events:
        target = analyze_workspace(args)
        print(f"cxmap analyze {target}", file=sys.stderr)
        results["analyze"] = {
            **analyze(target, args.analyze_runs),
            "workspace": str(target),
            "events": duck("SELECT count(*) FROM events", str(target / STORE))[0][0],
            "clustering": clustering(target),
        }
    if levers and args.analyze_events:  # the whole analysis on the main store, as loaded, sorted, unsorted
        targets = [ws] + ([sorted_ws] if sorted_ws != ws else []) + ([unsorted_ws] if unsorted_ws else [])
        for target in targets:
            print(f"cxmap analyze {target}", file=sys.stderr)
            results.setdefault("analyze_levers", []).append(
                {
                    **analyze(target, args.analyze_runs),
                    "workspace": str(target),
                    "events": results["events"],
                    "clustering": clustering(target),
                }
            )
    results["load_after"] = loadavg()
    (args.out / f"results-{args.events}.json").write_text(json.dumps(results, indent=1, default=str))
    report(results)


if __name__ == "__main__":
    main()
