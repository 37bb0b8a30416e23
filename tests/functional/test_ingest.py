"""`cxmap ingest`, `status` and `quarantine` end to end, on small files whose answers are known."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import run_cxmap, write

EVENTS = """\
customer_id,timestamp,touchpoint,score,comment,plan
C1,2026-01-05T10:00:00,Kickoff call,7,"good, really",pro
C2,2026-01-06 09:30:00+02:00,Demo,5,,basic
C1,2026-01-07,Support ticket,2,,pro
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    result = run_cxmap("init", str(tmp_path / "acme"))
    assert result.returncode == 0, result.stderr
    return tmp_path / "acme"


def rows(ws: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(ws / "cxmap.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def ingest(ws: Path, *args: str) -> dict[str, object]:
    result = run_cxmap("ingest", str(ws), *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_init_makes_a_workspace_and_refuses_twice(tmp_path: Path) -> None:
    first = run_cxmap("init", str(tmp_path / "w"))
    assert first.returncode == 0
    assert sorted(p.name for p in (tmp_path / "w").iterdir()) == [
        ".gitignore",
        "cxmap.duckdb",
        "cxmap.yaml",
        "maps",
    ]
    again = run_cxmap("init", str(tmp_path / "w"))
    assert (again.returncode, again.stderr) == (
        1,
        f"error: {tmp_path / 'w'}: already a cxmap workspace (it has cxmap.yaml)\n",
    )


def test_csv_events_are_normalised_and_stored_in_utc(ws: Path, tmp_path: Path) -> None:
    counts = ingest(ws, str(write(tmp_path / "events.csv", EVENTS)))
    assert (counts["rows_read"], counts["loaded"], counts["duplicates"], counts["quarantined"]) == (
        3,
        3,
        0,
        0,
    )
    got = rows(
        ws,
        'SELECT customer_id, CAST("timestamp" AS VARCHAR), touchpoint, score, scale, emotion, '
        'emotion_source, comment, attributes::VARCHAR, load_id, "row" FROM events ORDER BY "row"',
    )
    assert got == [
        (
            "C1",
            "2026-01-05 10:00:00",
            "Kickoff call",
            7.0,
            "0-10",
            7.0,
            "score",
            "good, really",
            '{"plan":"pro"}',
            1,
            1,
        ),
        ("C2", "2026-01-06 07:30:00", "Demo", 5.0, "0-10", 5.0, "score", None, '{"plan":"basic"}', 1, 2),
        (
            "C1",
            "2026-01-07 00:00:00",
            "Support ticket",
            2.0,
            "0-10",
            2.0,
            "score",
            None,
            '{"plan":"pro"}',
            1,
            3,
        ),
    ]


def test_naive_times_are_read_in_the_workspace_time_zone(ws: Path, tmp_path: Path) -> None:
    settings = ws / "cxmap.yaml"
    settings.write_text(settings.read_text().replace("timezone: UTC", "timezone: Europe/Amsterdam"))
    ingest(ws, str(write(tmp_path / "e.csv", EVENTS)))
    assert rows(ws, 'SELECT CAST("timestamp" AS VARCHAR) FROM events ORDER BY "row"') == [
        ("2026-01-05 09:00:00",),  # 10:00 in Amsterdam (UTC+1 in winter)
        ("2026-01-06 07:30:00",),  # an explicit zone wins
        ("2026-01-06 23:00:00",),  # a date alone is midnight in Amsterdam
    ]


def test_event_id_is_the_documented_hash(ws: Path, tmp_path: Path) -> None:
    import hashlib

    ingest(ws, str(write(tmp_path / "e.csv", EVENTS)))
    text = "\x1f".join(["C1", "2026-01-05T10:00:00.000000Z", "Kickoff call", "7.0", "good, really"])
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    assert rows(ws, 'SELECT event_id FROM events WHERE "row" = 1') == [(expected,)]


def test_loading_twice_loads_nothing_the_second_time(ws: Path, tmp_path: Path) -> None:
    path = str(write(tmp_path / "e.csv", EVENTS))
    ingest(ws, path)
    again = ingest(ws, path)
    assert (again["loaded"], again["duplicates"], again["quarantined"]) == (0, 3, 0)
    assert rows(ws, "SELECT count(*) FROM events") == [(3,)]


def test_same_event_twice_in_one_file_loads_once(ws: Path, tmp_path: Path) -> None:
    text = EVENTS + "C1,2026-01-07,Support ticket,2,,pro\n"
    counts = ingest(ws, str(write(tmp_path / "e.csv", text)))
    assert (counts["loaded"], counts["duplicates"]) == (3, 1)


@pytest.mark.parametrize(
    ("scale", "score", "emotion", "nps_class"),
    [
        ("0-10", "7", 7.0, None),
        ("1-5", "4", 7.5, None),
        ("1-5", "1", 0.0, None),
        ("1-7", "4", 5.0, None),
        ("1-10", "10", 10.0, None),
        ("-1-1", "-0.5", 2.5, None),
        ("0-100", "85", 8.5, None),
        ("nps", "9", 9.0, "promoter"),
        ("nps", "8", 8.0, "passive"),
        ("nps", "6", 6.0, "detractor"),
    ],
)
def test_each_scale_normalises_to_emotion(
    ws: Path, tmp_path: Path, scale: str, score: str, emotion: float, nps_class: str | None
) -> None:
    path = write(tmp_path / "s.csv", f"customer_id,timestamp,touchpoint,score\nC1,2026-01-05,Survey,{score}\n")
    ingest(ws, str(path), "--scale", scale)
    assert rows(ws, "SELECT score, scale, emotion, nps_class FROM events") == [
        (float(score), scale, emotion, nps_class)
    ]


def test_a_negative_zero_score_is_stored_and_shown_as_zero(ws: Path, tmp_path: Path) -> None:
    """-0 equals 0, but a float keeps its sign: it would show as "-0.0/10" in every answer."""
    path = write(tmp_path / "z.csv", "customer_id,timestamp,touchpoint,score\nC1,2026-01-05,NPS survey,-0.0\n")
    ingest(ws, str(path), "--scale", "nps")
    assert rows(ws, "SELECT CAST(score AS VARCHAR), CAST(emotion AS VARCHAR), nps_class FROM events") == [
        ("0.0", "0.0", "detractor")
    ]


def test_columns_mapping_for_a_survey_export(ws: Path, tmp_path: Path) -> None:
    survey = write(
        tmp_path / "survey.csv",
        "ContactId,SubmittedAt,Survey,CSAT,Verbatim\nK-9,2026-02-01 12:00,Onboarding CSAT,5,Loved it\n",
    )
    ingest(
        ws,
        str(survey),
        "--scale",
        "1-5",
        "--columns",
        "customer_id=ContactId,timestamp=SubmittedAt,touchpoint=Survey,score=CSAT,comment=Verbatim",
    )
    assert rows(ws, "SELECT customer_id, touchpoint, score, emotion, comment, attributes FROM events") == [
        ("K-9", "Onboarding CSAT", 5.0, 10.0, "Loved it", None)
    ]


def test_common_export_names_need_no_mapping(ws: Path, tmp_path: Path) -> None:
    helpdesk = write(
        tmp_path / "tickets.csv",
        "Ticket ID,Requester ID,Created at,Ticket category,Satisfaction,Group\nT-1,R-7,2026-03-01,Billing,4,Support\n",
    )
    ingest(ws, str(helpdesk), "--scale", "1-5")
    assert rows(ws, "SELECT event_id, customer_id, touchpoint, department, emotion FROM events") == [
        ("T-1", "R-7", "Billing", "Support", 7.5)
    ]


def test_sentiment_on_comments_without_a_score_and_score_wins(ws: Path, tmp_path: Path) -> None:
    text = (
        "customer_id,timestamp,touchpoint,score,comment\n"
        "C1,2026-01-05,Support,,The agent was wonderful and fixed it fast\n"
        "C2,2026-01-05,Support,,Terrible. Nobody answered for a week\n"
        "C3,2026-01-05,Support,,The invoice arrived on Tuesday\n"
        "C4,2026-01-05,Support,9,Terrible. Nobody answered for a week\n"
    )
    ingest(ws, str(write(tmp_path / "c.csv", text)))
    got = rows(ws, "SELECT customer_id, round(emotion, 4), emotion_source FROM events ORDER BY customer_id")
    # VADER compound c -> (c + 1) * 5: 0.5719 -> 7.8595, -0.4767 -> 2.6165, 0 -> 5.
    assert got == [
        ("C1", 7.8595, "vader"),
        ("C2", 2.6165, "vader"),
        ("C3", 5.0, "vader"),
        ("C4", 9.0, "score"),
    ]


BAD = """\
customer_id,timestamp,touchpoint,score,comment
C1,2026-01-05,Kickoff,7,"a comment
over two lines"
,2026-01-05,Kickoff,7,no customer
C3,2026-01-05,,7,no touchpoint
C4,yesterday,Kickoff,7,bad time
C5,2026-01-05,Kickoff,seven,bad score
C6,2026-01-05,Kickoff,12,out of scale
C7,2026-01-05,Kickoff,7
C8,,Kickoff,7,no time
C9,2026-01-05,Kickoff,7,ok
"""


def test_each_quarantine_reason_with_its_line(ws: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", BAD)
    counts = ingest(ws, str(path))
    assert (counts["rows_read"], counts["loaded"], counts["quarantined"]) == (9, 2, 7)
    report = json.loads(run_cxmap("quarantine", str(ws), "--json").stdout)
    assert report["total"] == 7
    assert [(r["line"], r["reason"]) for r in report["rows"]] == [
        (4, "no customer_id"),
        (5, "no touchpoint"),
        (6, "timestamp 'yesterday' is not a date or time"),
        (7, "score 'seven' is not a number"),
        (8, "score 12 is outside the 0-10 scale"),
        (9, "broken line: expected 5 columns, found 4"),
        (10, "no timestamp"),
    ]
    assert report["rows"][0] == {
        "load_id": 1,
        "file": str(path),
        "line": 4,
        "reason": "no customer_id",
        "raw": ",2026-01-05,Kickoff,7,no customer",
    }
    assert report["rows"][5]["raw"] == "C7,2026-01-05,Kickoff,7"


def test_strict_loads_nothing_when_a_row_is_bad(ws: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", BAD)
    result = run_cxmap("ingest", str(ws), str(path), "--strict")
    assert result.returncode == 1
    assert (
        result.stderr == f"error: {path}:4: no customer_id; --strict: nothing was loaded (7 rows could not be read)\n"
    )
    assert rows(
        ws,
        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM quarantine), (SELECT count(*) FROM loads)",
    ) == [(0, 0, 0)]


def test_strict_after_an_earlier_load_quarantined_the_same_rows(ws: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", BAD)
    ingest(ws, str(path))
    result = run_cxmap("ingest", str(ws), str(path), "--strict")
    assert (result.returncode, result.stderr) == (
        1,
        f"error: {path}:4: no customer_id; --strict: nothing was loaded (7 rows could not be read)\n",
    )


def test_tsv_jsonl_parquet_and_gzip_give_the_same_events(ws: Path, tmp_path: Path) -> None:
    tsv = write(tmp_path / "a.tsv", "customer_id\ttimestamp\ttouchpoint\tscore\nT1\t2026-01-05\tDemo\t6\n")
    jsonl = tmp_path / "b.jsonl.gz"
    with gzip.open(jsonl, "wt") as f:
        f.write('{"customer_id": "J1", "timestamp": "2026-01-05", "touchpoint": "Demo", "score": 6}\n\n')
        f.write('{"customer_id": "J2", broken\n')
        f.write('{"customer_id": "J3", "timestamp": "2026-01-06", "touchpoint": "Demo", "extra": {"a": 1}}\n')
    parquet = tmp_path / "c.parquet"
    pq.write_table(
        pa.table(
            {
                "customer_id": ["P1"],
                "timestamp": pa.array([1767571200], pa.timestamp("s")),
                "touchpoint": ["Demo"],
                "score": [6],
            }
        ),
        parquet,
    )
    counts = ingest(ws, str(tsv), str(jsonl), str(parquet))
    assert (counts["loaded"], counts["quarantined"]) == (4, 1)
    assert rows(
        ws,
        'SELECT customer_id, CAST("timestamp" AS VARCHAR), emotion, attributes::VARCHAR FROM events ORDER BY "row"',
    ) == [
        ("T1", "2026-01-05 00:00:00", 6.0, None),
        ("J1", "2026-01-05 00:00:00", 6.0, None),
        ("J3", "2026-01-06 00:00:00", None, '{"extra":"{\\"a\\":1}"}'),
        ("P1", "2026-01-05 00:00:00", 6.0, None),
    ]
    assert rows(ws, "SELECT file, line, reason FROM quarantine") == [(str(jsonl), 3, "broken line: not a JSON object")]


def test_folders_and_globs(ws: Path, tmp_path: Path) -> None:
    write(tmp_path / "in" / "jan.csv", EVENTS)
    write(tmp_path / "in" / "sub" / "feb.csv", EVENTS.replace("2026-01", "2026-02"))
    assert ingest(ws, str(tmp_path / "in"))["loaded"] == 6
    assert ingest(ws, str(tmp_path / "in" / "*.csv"))["duplicates"] == 3


def test_accounts_and_contacts(ws: Path, tmp_path: Path) -> None:
    accounts = write(
        tmp_path / "accounts.csv",
        "account_id,name,started_at,segment,owner\nA1,Acme,2026-01-01,smb,Ana\nA2,Birch,2026-02-01,enterprise,Ben\n",
    )
    contacts = write(
        tmp_path / "contacts.csv",
        "customer_id,account_id,added_at,role\nC1,A1,2026-01-16,admin\nC2,A1,,champion\nC3,A2,soon,admin\n",
    )
    assert ingest(ws, str(accounts), "--kind", "accounts")["loaded"] == 2
    counts = ingest(ws, str(contacts), "--kind", "contacts")
    assert (counts["loaded"], counts["quarantined"]) == (2, 1)
    assert rows(
        ws, "SELECT account_id, name, CAST(started_at AS VARCHAR), segment, owner FROM accounts ORDER BY 1"
    ) == [("A1", "Acme", "2026-01-01", "smb", "Ana"), ("A2", "Birch", "2026-02-01", "enterprise", "Ben")]
    assert rows(ws, "SELECT customer_id, account_id, CAST(added_at AS VARCHAR), role FROM contacts ORDER BY 1") == [
        ("C1", "A1", "2026-01-16", "admin"),
        ("C2", "A1", None, "champion"),
    ]
    updated = write(tmp_path / "accounts2.csv", "account_id,name,started_at\nA1,Acme Inc,2026-01-01\n")
    again = ingest(ws, str(updated), "--kind", "accounts")
    assert (again["loaded"], again["replaced"]) == (1, 1)
    assert rows(ws, "SELECT name FROM accounts WHERE account_id = 'A1'") == [("Acme Inc",)]


def test_status_json(ws: Path, tmp_path: Path) -> None:
    ingest(ws, str(write(tmp_path / "bad.csv", BAD)))
    info = json.loads(run_cxmap("status", str(ws), "--json").stdout)
    assert {
        k: info[k]
        for k in (
            "events",
            "customers",
            "touchpoints",
            "first_event",
            "last_event",
            "scored_events",
            "quarantined",
            "accounts",
            "contacts",
        )
    } == {
        "events": 2,
        "customers": 2,
        "touchpoints": 1,
        "first_event": "2026-01-05T00:00:00",
        "last_event": "2026-01-05T00:00:00",
        "scored_events": 2,
        "quarantined": 7,
        "accounts": 0,
        "contacts": 0,
    }
    assert [(x["load_id"], x["loaded"], x["quarantined"]) for x in info["loads"]] == [(1, 2, 7)]
    text = run_cxmap("status", str(ws)).stdout
    assert "events: 2 from 2 customers, 1 touchpoints" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.csv"], "error: {tmp}/nope.csv: no such file or folder\n"),
        (
            ["e.csv", "--columns", "customer_id=Nope"],
            "error: {tmp}/e.csv: --columns names 'Nope' for customer_id, but the file has no such column "
            "(its columns: customer_id, timestamp, touchpoint, score, comment, plan)\n",
        ),
        (
            ["latin.csv"],
            "error: {tmp}/latin.csv: line 2 is not utf-8 text; give the file's encoding with --encoding "
            "(for example --encoding latin-1)\n",
        ),
        (
            ["e.txt"],
            "error: {tmp}/e.txt: cannot tell the format from the name; use .csv, .tsv, .parquet or .jsonl (.gz too)\n",
        ),
        (
            ["nohead.csv"],
            "error: {tmp}/nohead.csv: no column for customer_id, timestamp, touchpoint (its columns: who, "
            "when); map one with --columns customer_id=YOUR_COLUMN\n",
        ),
    ],
)
def test_bad_input_gets_one_line_and_exit_1(ws: Path, tmp_path: Path, args: list[str], message: str) -> None:
    write(tmp_path / "e.csv", EVENTS)
    write(tmp_path / "e.txt", EVENTS)
    write(tmp_path / "nohead.csv", "who,when\nx,y\n")
    (tmp_path / "latin.csv").write_bytes(
        "customer_id,timestamp,touchpoint,comment\nC1,2026-01-05,Caf\xe9,ok\n".encode("latin-1")
    )
    args = [str(tmp_path / a) if a.endswith((".csv", ".txt")) else a for a in args]
    result = run_cxmap("ingest", str(ws), *args)
    assert (result.returncode, result.stderr) == (1, message.format(tmp=tmp_path))
    assert rows(ws, "SELECT count(*) FROM loads") == [(0,)]


def test_unknown_scale_is_a_usage_error(ws: Path, tmp_path: Path) -> None:
    result = run_cxmap("ingest", str(ws), str(write(tmp_path / "e.csv", EVENTS)), "--scale", "1-3")
    assert (result.returncode, result.stderr) == (
        2,
        "error: --scale: unknown scale '1-3'; use one of: 0-10, 1-5, 1-7, 1-10, -1-1, 0-100, nps\n",
    )


def test_encoding_option_reads_latin1(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("customer_id,timestamp,touchpoint\nC1,2026-01-05,Caf\xe9\n".encode("latin-1"))
    ingest(ws, str(path), "--encoding", "latin-1")
    assert rows(ws, "SELECT touchpoint FROM events") == [("Café",)]


def test_not_a_workspace_and_usage(tmp_path: Path) -> None:
    missing = run_cxmap("ingest", str(tmp_path / "nope"), "x.csv")
    assert (missing.returncode, missing.stderr) == (
        1,
        f"error: {tmp_path / 'nope'}: no such workspace folder; create one with `cxmap init {tmp_path / 'nope'}`\n",
    )
    assert run_cxmap("ingest", str(tmp_path), "x.csv", "--columns", "bogus=X").returncode != 0


def test_preview_writes_nothing(ws: Path, tmp_path: Path) -> None:
    result = run_cxmap("ingest", str(ws), str(write(tmp_path / "e.csv", EVENTS)), "--preview")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "preview of the first 3 rows (nothing written):"
    assert "customer_id=C1" in result.stdout
    assert rows(ws, "SELECT count(*) FROM events") == [(0,)]
