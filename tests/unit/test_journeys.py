"""Journeys (directly-follows graph, variants, starts, dropouts) on a log worked out on paper, and against a
second implementation in plain pandas, on that log and on synthetic data."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from cxmap import synthetic
from cxmap.analytics.journeys import journeys
from cxmap.analytics.prepare import Prepared
from tests.analytics_fixtures import prepared_with

# W = website, D = demo, K = contract. Times are hours on 2026-01-01 (UTC).
LOAD_1 = """\
customer_id,timestamp,touchpoint
C1,2026-01-01T00:00:00,Website
C1,2026-01-01T02:00:00,Demo
C1,2026-01-01T05:00:00,Contract
C2,2026-01-01T00:00:00,Website
C2,2026-01-01T03:00:00,Demo
C2,2026-01-01T03:00:00,Contract
C3,2026-01-01T00:00:00,Website
C3,2026-01-01T01:00:00,Demo
C3,2026-01-01T03:00:00,Demo
C3,2026-01-01T05:00:00,Demo
C3,2026-01-01T06:00:00,Demo
C4,2026-01-01T10:00:00,Website
C5,2026-01-01T07:00:00,Contract
C5,2026-01-01T06:00:00,Demo
C5,2026-01-01T00:00:00,Website
C6,2026-01-01T00:00:00,Demo
C6,2026-01-01T12:00:00,Website
C6,2026-01-01T13:00:00,Demo
"""
# A second load: its row 1 ties in time with C4's Website of load 1, and comes after it (load order).
LOAD_2 = """\
customer_id,timestamp,touchpoint
C4,2026-01-01T10:00:00,Demo
"""
# Journeys on paper (ties keep the source order: C2 is W D K, not W K D; C4 is W D, not D W):
#   C1 W D K (gaps 2, 3)   C2 W D K (3, 0)   C3 W D D D D (1, 2, 2, 1)   C4 W D (0)   C5 W D K (6, 1)
#   C6 D W D (12, 1)
W, D, K = "website", "demo", "contract"
EXPECTED: dict[str, Any] = {
    "customers": 6,
    "dfg": [
        # W->D in C1..C6: gaps 2, 3, 1, 0, 6, 1 -> sorted 0 1 1 2 3 6 -> median (1 + 2) / 2
        {"from": W, "to": D, "count": 6, "customers": 6, "median_hours": 1.5},
        # count ties at 3: from equal, to "contract" < "demo"; D->K gaps 3, 0, 1; D->D gaps 2, 2, 1 (C3)
        {"from": D, "to": K, "count": 3, "customers": 3, "median_hours": 1.0},
        {"from": D, "to": D, "count": 3, "customers": 1, "median_hours": 2.0},
        {"from": D, "to": W, "count": 1, "customers": 1, "median_hours": 12.0},
    ],
    "variants": [
        {"sequence": [W, D, K], "customers": 3, "share": 0.5},
        # ties at 1 customer, by text: "demo > website > demo" < "website > demo" < "website > demo > demo ..."
        {"sequence": [D, W, D], "customers": 1, "share": 1 / 6},
        {"sequence": [W, D], "customers": 1, "share": 1 / 6},
        {"sequence": [W, D, D, D, D], "customers": 1, "share": 1 / 6},
    ],
    "variant_count": 4,
    "start": [
        {"touchpoint": W, "customers": 5, "share": 5 / 6},
        {"touchpoint": D, "customers": 1, "share": 1 / 6},
    ],
    "dropout": [  # last events: C1 C2 C5 at K; C3 C4 C6 at D; tie by id
        {"touchpoint": K, "customers_ending": 3, "share": 0.5},
        {"touchpoint": D, "customers_ending": 3, "share": 0.5},
    ],
}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    return prepared_with(tmp_path_factory.mktemp("journeys"), [LOAD_1, LOAD_2])


def rounded(value: Any) -> Any:
    """Floats to 9 decimals, deep, so that results compare exactly but for rounding noise."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def test_values_worked_out_on_paper(small: Prepared) -> None:
    assert rounded(journeys(small)) == rounded(EXPECTED)


def test_top_limits_the_variants_but_not_their_count(small: Prepared) -> None:
    three = journeys(small, top=2)
    assert [v["sequence"] for v in three["variants"]] == [[W, D, K], [D, W, D]]
    assert three["variant_count"] == 4
    none = journeys(small, top=0)
    assert (none["variants"], none["variant_count"]) == ([], 4)


def pandas_journeys(events: pd.DataFrame, top: int) -> dict[str, Any]:
    """The same definitions, written independently in pandas."""
    df = events.sort_values(["customer_id", "ts", "load_id", "row"], kind="mergesort").reset_index(drop=True)
    by = df.groupby("customer_id", sort=False)
    df["to"] = by["touchpoint"].shift(-1)
    df["hours"] = (by["ts"].shift(-1) - df["ts"]).dt.total_seconds() / 3600
    customers = df["customer_id"].nunique()
    pairs = df[df["to"].notna()].rename(columns={"touchpoint": "from"})
    dfg = (
        pairs.groupby(["from", "to"])
        .agg(count=("hours", "size"), customers=("customer_id", "nunique"), median_hours=("hours", "median"))
        .reset_index()
        .assign(neg=lambda d: -d["count"])
        .sort_values(["neg", "from", "to"])
        .drop(columns="neg")
    )
    seqs = by["touchpoint"].agg(" > ".join)
    variants = seqs.value_counts().rename_axis("text").reset_index(name="customers")
    variants = variants.assign(neg=-variants["customers"]).sort_values(["neg", "text"]).head(top)

    def ranked(counts: pd.Series, key: str) -> list[dict[str, Any]]:
        table = counts.rename_axis("touchpoint").reset_index(name="n")
        table = table.assign(neg=-table["n"]).sort_values(["neg", "touchpoint"])
        return [
            {"touchpoint": t, key: int(n), "share": n / customers}
            for t, n in zip(table.touchpoint, table.n, strict=True)
        ]

    return {
        "customers": customers,
        "dfg": [
            {
                "from": r["from"],
                "to": r["to"],
                "count": int(r["count"]),
                "customers": int(r["customers"]),
                "median_hours": float(r["median_hours"]),
            }
            for r in dfg.to_dict("records")
        ],
        "variants": [
            {"sequence": t.split(" > "), "customers": int(n), "share": n / customers}
            for t, n in zip(variants["text"], variants["customers"], strict=True)
        ],
        "variant_count": int(seqs.nunique()),
        "start": ranked(by["touchpoint"].first().value_counts(), "customers"),
        "dropout": ranked(by["touchpoint"].last().value_counts(), "customers_ending"),
    }


def events_frame(prepared: Prepared) -> pd.DataFrame:
    return prepared.events.select("customer_id", "ts", "load_id", "row", "touchpoint").to_pandas()


def test_pandas_gives_the_same_on_the_small_log(small: Prepared) -> None:
    reference = pandas_journeys(events_frame(small), top=20)
    assert rounded(reference) == rounded(EXPECTED)
    assert rounded(journeys(small, top=20)) == rounded(reference)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    root = tmp_path_factory.mktemp("synthetic")
    paths = synthetic.write(synthetic.generate(20_000, seed=3), root / "data")
    return prepared_with(root, paths["events"].read_text(encoding="utf-8"))


def test_pandas_gives_the_same_on_synthetic_data(generated: Prepared) -> None:
    frame = events_frame(generated)
    assert len(frame) > 15_000
    ours, reference = journeys(generated, top=50), pandas_journeys(frame, top=50)
    assert ours["customers"] == reference["customers"] > 1_000
    assert len(ours["dfg"]) > 20
    assert len(ours["variants"]) == 50
    assert rounded(ours) == rounded(reference)
