"""No silent loss: `cxmap ingest` warns about score- and comment-like columns kept as attributes, and
`--strict` refuses such loads; on both stores, from small hand-made files."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxmap.web.words import WEB
from cxmap.workspace.unmapped import named_scale, unmapped, words
from tests.conftest import run_cxmap, write

SURVEY = """\
Contact,When,What,CSAT (1-5)
C1,2026-01-05T10:00:00,Kickoff call,4
C2,2026-01-06T10:00:00,Demo,2
C3,2026-01-07T10:00:00,Support ticket,
"""
MAPPING = ("--columns", "customer_id=Contact,timestamp=When,touchpoint=What")
CSAT_WARNING = (
    "column 'CSAT (1-5)' looks like a score but was kept as an attribute; map it with "
    '--columns score="CSAT (1-5)" (and --scale 1-5), or pass --strict to refuse such loads'
)
CSAT_REFUSAL = (
    "column 'CSAT (1-5)' looks like a score but was kept as an attribute; map it with "
    '--columns score="CSAT (1-5)" (and --scale 1-5); --strict: nothing was loaded'
)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    result = run_cxmap("init", str(tmp_path / "acme"))
    assert result.returncode == 0, result.stderr
    return tmp_path / "acme"


def events(ws: Path) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(ws / "cxmap.duckdb"), read_only=True)
    try:
        return con.execute('SELECT customer_id, score, attributes::VARCHAR FROM events ORDER BY "row"').fetchall()
    finally:
        con.close()


def warnings(ws: Path, path: Path, *args: str) -> list[dict[str, str]]:
    result = run_cxmap("ingest", str(ws), str(path), *args, "--json")
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    found: list[dict[str, str]] = json.loads(result.stdout)["warnings"]
    return found


def test_the_example_warns_on_stderr_and_loads_its_rows(ws: Path, tmp_path: Path) -> None:
    result = run_cxmap("ingest", str(ws), str(write(tmp_path / "survey.csv", SURVEY)), *MAPPING)
    assert (result.returncode, result.stderr) == (0, f"warning: {CSAT_WARNING}\n")
    assert result.stdout == "load 1: loaded 3 events, 0 duplicates skipped, 0 quarantined (from 1 file, 3 rows)\n"
    assert events(ws) == [
        ("C1", None, '{"CSAT (1-5)":"4"}'),
        ("C2", None, '{"CSAT (1-5)":"2"}'),
        ("C3", None, None),
    ]


def test_the_example_in_json_carries_the_warning(ws: Path, tmp_path: Path) -> None:
    result = run_cxmap("ingest", str(ws), str(write(tmp_path / "survey.csv", SURVEY)), *MAPPING, "--json")
    assert (result.returncode, result.stderr) == (0, "")
    out = json.loads(result.stdout)
    assert (out["loaded"], out["warnings"]) == (
        3,
        [{"code": "unmapped_score", "column": "CSAT (1-5)", "message": CSAT_WARNING}],
    )


def test_strict_refuses_the_example_in_one_line_and_loads_nothing(ws: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "survey.csv", SURVEY)
    result = run_cxmap("ingest", str(ws), str(path), *MAPPING, "--strict")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"error: {CSAT_REFUSAL}\n")
    as_json = run_cxmap("ingest", str(ws), str(path), *MAPPING, "--strict", "--json")
    assert (as_json.returncode, as_json.stdout) == (1, "")
    assert json.loads(as_json.stderr) == {"error": {"code": "unmapped_score", "message": CSAT_REFUSAL, "details": []}}
    status = json.loads(run_cxmap("status", str(ws), "--json").stdout)
    assert (status["events"], status["loads"]) == (0, [])


def test_strict_names_the_first_column_and_counts_the_others(ws: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "both.csv", "Contact,When,What,CSAT (1-5),Agent remarks\nC1,2026-01-05,Demo,4,ok\n")
    result = run_cxmap("ingest", str(ws), str(path), *MAPPING, "--strict")
    assert (result.returncode, result.stderr) == (
        1,
        f"error: {CSAT_REFUSAL} (also 1 more column: 'Agent remarks')\n",
    )


@pytest.mark.parametrize(
    ("header", "value", "typed"),
    [
        ("Agent remarks", "ok", '"Agent remarks"'),  # by its name
        ("Subject", "the invoice was wrong again", "Subject"),  # by its values: free text
    ],
)
def test_a_comment_like_column_left_unmapped_warns(
    ws: Path, tmp_path: Path, header: str, value: str, typed: str
) -> None:
    path = write(
        tmp_path / "tickets.csv",
        f"customer_id,timestamp,touchpoint,score,{header}\nC1,2026-01-05,Support ticket,3,{value}\n",
    )
    assert warnings(ws, path) == [
        {
            "code": "unmapped_comment",
            "column": header,
            "message": f"column '{header}' looks like a comment but was kept as an attribute; map it with "
            f"--columns comment={typed}, or pass --strict to refuse such loads",
        }
    ]


@pytest.mark.parametrize(
    ("text", "args"),
    [
        # recognised by name: score, comment
        ("customer_id,timestamp,touchpoint,score,comment,plan\nC1,2026-01-05,Demo,7,good and quick,pro\n", ()),
        # mapped with --columns
        (
            "Contact,When,What,CSAT (1-5),Feedback text\nC1,2026-01-05,Demo,4,really good and quick\n",
            ("--scale", "1-5", "--columns", MAPPING[1] + ",score=CSAT (1-5),comment=Feedback text"),
        ),
        # a score is mapped: a second score-like column is an attribute, and so is a comment beside a comment
        ("customer_id,timestamp,touchpoint,CSAT,NPS score,notes,Description\nC1,2026-01-05,Demo,4,9,hi,a b c d\n", ()),
        # numbers with an unrelated name, short texts with an unrelated name
        ("customer_id,timestamp,touchpoint,Seats,Plan\nC1,2026-01-05,Demo,25,pro plus\nC2,2026-01-05,Demo,3,\n", ()),
        # a score-like name whose values are not numbers
        ("customer_id,timestamp,touchpoint,Rating band\nC1,2026-01-05,Demo,high\n", ()),
    ],
)
def test_no_warning(ws: Path, tmp_path: Path, text: str, args: tuple[str, ...]) -> None:
    assert warnings(ws, write(tmp_path / "events.csv", text), *args) == []


def test_parquet_and_json_lines_warn_the_same(ws: Path, tmp_path: Path) -> None:
    parquet = tmp_path / "nps.parquet"
    pq.write_table(
        pa.table({"customer_id": ["P1"], "timestamp": ["2026-01-05"], "touchpoint": ["Demo"], "NPS (recommend)": [9]}),
        parquet,
    )
    jsonl = write(
        tmp_path / "nps.jsonl",
        '{"customer_id": "J1", "timestamp": "2026-01-05", "touchpoint": "Demo", "NPS (recommend)": 9}\n',
    )
    message = (
        "column 'NPS (recommend)' looks like a score but was kept as an attribute; map it with "
        '--columns score="NPS (recommend)" (and --scale nps), or pass --strict to refuse such loads'
    )
    expected = [{"code": "unmapped_score", "column": "NPS (recommend)", "message": message}]
    assert warnings(ws, parquet) == expected
    assert warnings(ws, jsonl) == expected


def test_a_dataset_store_warns_and_refuses_too(tmp_path: Path) -> None:
    ws = tmp_path / "big"
    assert run_cxmap("init", str(ws), "--store", str(tmp_path / "lake")).returncode == 0
    path = write(tmp_path / "survey.csv", SURVEY)
    refused = run_cxmap("ingest", str(ws), str(path), *MAPPING, "--strict")
    assert (refused.returncode, refused.stderr) == (1, f"error: {CSAT_REFUSAL}\n")
    assert json.loads(run_cxmap("status", str(ws), "--json").stdout)["events"] == 0
    assert warnings(ws, path, *MAPPING) == [{"code": "unmapped_score", "column": "CSAT (1-5)", "message": CSAT_WARNING}]
    assert json.loads(run_cxmap("status", str(ws), "--json").stdout)["events"] == 3


def test_the_api_says_it_in_its_own_terms() -> None:
    assert unmapped("unmapped_score", "CSAT (1-5)").say(WEB) == (
        "column 'CSAT (1-5)' looks like a score but was kept as an attribute; send it as score "
        "(and scale=1-5), or pass strict=true to refuse such loads"
    )
    assert unmapped("unmapped_comment", "Subject").say(WEB) == (
        "column 'Subject' looks like a comment but was kept as an attribute; send it as comment, "
        "or pass strict=true to refuse such loads"
    )


def test_names_are_split_into_words_and_may_name_a_scale() -> None:
    assert [sorted(words(n)) for n in ("CSAT (1-5)", "npsScore", "satisfaction_score", "Processes")] == [
        ["1", "5", "csat"],
        ["nps", "score"],
        ["satisfaction", "score"],
        ["processes"],
    ]
    assert [named_scale(n) for n in ("CSAT (1-5)", "NPS (0-10)", "Rating 1 - 7", "Rating (2-6)", "Effort")] == [
        "1-5",
        "nps",
        "1-7",
        None,
        None,
    ]
