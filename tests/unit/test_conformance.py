"""Conformance to the map on a log worked out on paper, and against plain pandas on synthetic data."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pytest

from cxmap import synthetic
from cxmap.analytics.conformance import conformance, customer_steps
from cxmap.analytics.outcomes import customer_outcomes
from cxmap.analytics.prepare import Prepared
from cxmap.analytics.stats import newcombe
from tests.analytics_fixtures import prepared_with
from tests.conftest import EXAMPLES
from tests.unit.test_journeys import rounded

MAP = """\
id: sales
title: Buy and onboard
touchpoints:
  - {id: peer-review, name: Peer review}
  - {id: website, name: Website, matches: ["Website*"]}
  - {id: demo, name: Demo, matches: ["Demo*"]}
  - {id: contract, name: Contract, matches: ["Contract*"]}
  - {id: kickoff, name: Kickoff call, matches: ["Kickoff*"]}
  - {id: checkin, name: Check-in call, matches: ["Check-in*"]}
  - {id: support, name: Support ticket, matches: ["Support*"]}
  - {id: renewal, name: Renewal}
  - {id: churn, name: Churn}
stages:
  - id: buy
    title: Buy
    steps:
      - {id: reviews, action: Reads reviews, touchpoints: [peer-review]}
      - {id: browse, action: Browses, touchpoints: [website]}
      - {id: demo, action: Sees a demo, touchpoints: [demo]}
      - {id: sign, action: Signs, touchpoints: [contract]}
  - id: onboard
    title: Onboard
    steps:
      - {id: kick, action: Kicks off, touchpoints: [kickoff, support]}
      - {id: checkin, action: Checks in, touchpoints: [checkin, support]}
milestones:
  - {id: kickoff-7, touchpoint: kickoff, due_days: 7}
  - {id: checkin-30, touchpoint: checkin, due_days: 30}
"""
# Steps: 0 reviews (no data: not measured), 1 browse, 2 demo, 3 sign, 4 kick (due 7 d), 5 checkin (due 30 d).
LOG = """\
customer_id,timestamp,touchpoint
P1,2026-01-01,Website
P1,2026-01-02,Demo
P1,2026-01-03,Contract
P1,2026-01-05,Kickoff call
P1,2026-01-20,Check-in call
P1,2026-03-01,Renewal
P2,2026-01-01,Website
P2,2026-01-04,Contract
P2,2026-01-10,Kickoff call
P2,2026-03-01,Churn
P3,2026-01-01,Demo
P3,2026-01-02,Website
P3,2026-01-03,Contract
P3,2026-01-04,Kickoff call
P3,2026-01-05,Check-in call
P3,2026-03-01,Renewal
P4,2026-01-01T10:00:00,Website
P4,2026-01-01T10:00:00,Demo
P4,2026-01-02,Contract
P4,2026-03-01,Churn
P5,2026-01-01,Website
P5,2026-01-02,Demo
P5,2026-01-03,Contract
P5,2026-01-06,Support ticket
P5,2026-01-08,Check-in call
P5,2026-01-09,Kickoff call
P5,2026-03-01,Renewal
P6,2026-01-01,Website
P6,2026-01-03,Demo
P6,2026-01-05,Contract
P6,2026-01-07,Kickoff call
P6,2026-02-15,Check-in call
P7,2026-03-01,Renewal
P8,2026-01-01,Website
P8,2026-01-08,Kickoff call
P8,2026-03-01,Renewal
"""
# On paper (reached = the step or a later one happened):
#   P1 all five in order, on time: fully conformant; renews.
#   P2 skips demo; kickoff on day 9 > 7: late; churns.
#   P3 demo before website: browse is out of order; renews.
#   P4 website and demo at the same time, website first in the file: in order; fully conformant; churns.
#   P5 one support ticket (day 5) makes kick and checkin happen together: both in order; fully; renews.
#   P6 check-in on day 45 > 30: late; no outcome either way: undecided.
#   P7 no step event: not analysed.
#   P8 website, then kickoff exactly 7 x 24 h later (not late); skips demo and sign; renews.


def step(name: str, reached: int, done: int, skipped: int, ooo: int, late: int, rate: float | None) -> dict[str, Any]:
    counts = {"reached": reached, "done": done, "skipped": skipped, "out_of_order": ooo, "late": late}
    return {"step": name, "measured": bool(reached), **counts, "conformance_rate": rate}


STEPS = [
    step("reviews", 0, 0, 0, 0, 0, None),  # no data: not measured
    step("browse", 7, 7, 0, 1, 0, 6 / 7),  # P3 out of order
    step("demo", 7, 5, 2, 0, 0, 5 / 7),  # P2, P8 skip
    step("sign", 7, 6, 1, 0, 0, 6 / 7),  # P8 skips
    step("kick", 6, 6, 0, 0, 1, 5 / 6),  # P4 stops before; P2 late
    step("checkin", 4, 4, 0, 0, 1, 3 / 4),  # P1 P3 P5 P6 reach it; P6 late
]


def deviation(
    step: str, kind: str, k1: int, n1: int, k2: int, n2: int, customers: int, without: int, least: int = 20
) -> dict[str, Any]:
    d, low, high = (float(x) for x in newcombe(k1, n1, k2, n2))
    ok = n1 and n2
    split = ok and {k1 / n1, k2 / n2} == {0.0, 1.0}
    enough = "too_few" if n1 < least or n2 < least else "separated" if split else "enough"
    return {
        "step": step,
        "deviation": kind,
        "customers": customers,
        "customers_without": without,
        "outcome_rate": k1 / n1 if n1 else None,
        "outcome_rate_without": k2 / n2 if n2 else None,
        "difference": d if ok else None,
        "difference_ci": [low, high] if ok else [None, None],
        "evidence": enough,
        "significant": bool(enough == "enough" and (low > 0 or high < 0)),
    }


# Decided: P1 P3 P5 P8 renew, P2 P4 churn, P6 undecided. Rates "without" are over the reached customers.
DEVIATIONS = [
    deviation("kick", "late", 0, 1, 4, 4, 1, 5),  # P2 | P1 P3 P5 P8 (P6 undecided)
    deviation("demo", "skipped", 1, 2, 3, 4, 2, 5),  # P2 P8 | P1 P3 P4 P5 (P6)
    deviation("browse", "out_of_order", 1, 1, 3, 5, 1, 6),  # P3 | P1 P2 P4 P5 P8 (P6)
    deviation("sign", "skipped", 1, 1, 3, 5, 1, 6),  # P8 | P1 P2 P3 P4 P5 (P6); ties keep map order
    deviation("checkin", "late", 0, 0, 3, 3, 1, 3),  # P6 undecided | P1 P3 P5: no difference
]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    return prepared_with(tmp_path_factory.mktemp("conformance"), LOG, MAP)


def test_values_worked_out_on_paper(small: Prepared) -> None:
    result = conformance(small, customer_outcomes(small, "renewal", "churn"), None, {"renewal", "churn"})
    assert rounded(result) == rounded(
        {
            "available": True,
            "customers": 7,
            "steps": STEPS,
            "fully_conformant_share": 3 / 7,
            "deviations": DEVIATIONS,
            "deviations_judged_until": "checkin",
        }
    )
    assert {d["evidence"] for d in result["deviations"]} == {"too_few"}  # 1 to 6 customers a side, 20 needed
    assert [d["difference"] for d in DEVIATIONS[:2]] == [-1.0, -0.25]


def test_without_outcomes_there_are_no_deviations(small: Prepared) -> None:
    result = conformance(small, None)
    assert "deviations" not in result
    assert rounded(result["steps"]) == rounded(STEPS)


def test_per_customer_rows(small: Prepared) -> None:
    rows = customer_steps(small).order_by(["customer_id", "step_index"]).to_pyarrow().to_pylist()
    flags = {
        (r["customer_id"], r["step"]): "".join(k[0] for k in ("done", "skipped", "out_of_order", "late") if r[k])
        for r in rows
    }
    assert {k: v for k, v in flags.items() if k[0] == "P2"} == {
        ("P2", "browse"): "d",
        ("P2", "demo"): "s",
        ("P2", "sign"): "d",
        ("P2", "kick"): "dl",
    }
    assert flags[("P3", "browse")] == "do"
    fully = {r["customer_id"] for r in rows if r["fully_conformant"]}
    assert fully == {"P1", "P4", "P5"}
    assert {r["customer_id"] for r in rows} == {"P1", "P2", "P3", "P4", "P5", "P6", "P8"}
    assert not any(step == "reviews" for _, step in flags)


def test_starts_move_the_milestone_clock(small: Prepared) -> None:
    starts = ibis.memtable({"customer_id": ["P2"], "start": [pd.Timestamp("2026-01-05")]})
    kick = conformance(small, None, starts)["steps"][4]
    assert (kick["step"], kick["late"]) == ("kick", 0)  # day 5 after the given start, not day 9


def test_the_events_given_decide_which_steps_are_measured(small: Prepared) -> None:
    # The web app and the account answers narrow the prepared events afterwards: here to before 4 January,
    # when nobody had kicked off or checked in yet, so those two steps are not measured.
    early = replace(small, events=small.events.filter(small.events.ts < pd.Timestamp("2026-01-04")))
    result = conformance(early, None)
    assert rounded(result["steps"]) == rounded(
        [
            step("reviews", 0, 0, 0, 0, 0, None),
            step("browse", 7, 7, 0, 1, 0, 6 / 7),  # P3 out of order
            step("demo", 5, 5, 0, 0, 0, 1.0),  # P1 P3 P4 P5 P6
            step("sign", 4, 4, 0, 0, 0, 1.0),  # P1 P3 P4 P5
            step("kick", 0, 0, 0, 0, 0, None),
            step("checkin", 0, 0, 0, 0, 0, None),
        ]
    )
    assert result["fully_conformant_share"] == 6 / 7  # all but P3


def test_a_map_of_one_step(tmp_path: Path) -> None:
    one = (
        MAP.split("stages:")[0]
        + "stages:\n  - {id: buy, title: Buy, steps: [{id: sign, action: Signs, touchpoints: [contract]}]}\n"
    )
    result = conformance(prepared_with(tmp_path, LOG, one), None)
    # P1 to P6 signed (P7 and P8 have no contract event): each is done, in order and on time
    assert result["customers"] == 6
    assert rounded(result["steps"]) == rounded([step("sign", 6, 6, 0, 0, 0, 1.0)])
    assert result["fully_conformant_share"] == 1.0


def test_without_a_map(tmp_path: Path) -> None:
    result = conformance(prepared_with(tmp_path, LOG), None)
    assert result["available"] is False
    assert "map" in result["reason"]


def pandas_grid(events: pd.DataFrame, prepared: Prepared, steps: list[Any]) -> pd.DataFrame:
    """One row per customer and step reached, with its flags: the definitions written independently in pandas
    (positions from a sort, not a rank)."""
    the_map = prepared.map
    assert the_map is not None
    due = {m.touchpoint: m.due_days * 86400.0 for m in the_map.milestones}
    plan = pd.DataFrame(
        [
            (p.index, tp, min((due[t] for t in p.step.touchpoints if t in due), default=None))
            for p in steps
            for tp in p.step.touchpoints
        ],
        columns=["step_index", "touchpoint", "due"],
    )
    df = events.sort_values(["customer_id", "ts", "load_id", "row"], kind="mergesort").reset_index(drop=True)
    df["pos"] = df.groupby("customer_id").cumcount()
    start = df.groupby("customer_id")["ts"].min().rename("start")
    hits = df.merge(plan, on="touchpoint")
    done = hits.groupby(["customer_id", "step_index"]).agg(pos=("pos", "min"), ts=("ts", "min"), due=("due", "max"))
    done = done.reset_index().join(start, on="customer_id").sort_values(["customer_id", "step_index"])
    rev = done.iloc[::-1]
    done["later"] = rev.groupby("customer_id")["pos"].transform(lambda s: s.cummin().shift(1)).iloc[::-1]
    done["out_of_order"] = done["later"].notna() & (done["pos"] > done["later"])
    done["late"] = done["due"].notna() & ((done["ts"] - done["start"]).dt.total_seconds() > done["due"])
    furthest = done.groupby("customer_id")["step_index"].max().rename("furthest").reset_index()
    grid = furthest.merge(pd.DataFrame({"step_index": sorted(done["step_index"].unique())}), how="cross")
    grid = grid[grid["step_index"] <= grid["furthest"]]
    grid = grid.merge(done[["customer_id", "step_index", "out_of_order", "late"]], how="left", indicator=True)
    grid["done"] = grid["_merge"] == "both"
    grid["skipped"] = ~grid["done"]
    grid[["out_of_order", "late"]] = grid[["out_of_order", "late"]].eq(True)
    grid["conformant"] = grid["done"] & ~grid["out_of_order"] & ~grid["late"]
    return grid


def pandas_conformance(
    events: pd.DataFrame, prepared: Prepared, outcomes: pd.DataFrame, ends: set[str]
) -> dict[str, Any]:
    """Steps from every event; deviations from the events before each customer's outcome, on the steps
    before the first outcome step."""
    the_map = prepared.map
    assert the_map is not None
    grid = pandas_grid(events, prepared, the_map.placed_steps)
    fully = grid.groupby("customer_id")["conformant"].all()
    steps = []
    for p in the_map.placed_steps:
        g = grid[grid["step_index"] == p.index]
        n = len(g)
        steps.append(
            {
                "step": p.step.id,
                "measured": n > 0,
                "reached": n,
                "done": int(g["done"].sum()),
                "skipped": int(g["skipped"].sum()),
                "out_of_order": int(g["out_of_order"].sum()),
                "late": int(g["late"].sum()),
                "conformance_rate": g["conformant"].sum() / n if n else None,
            }
        )
    cut = []
    for p in the_map.placed_steps:
        if set(p.step.touchpoints) & ends:
            break
        cut.append(p)
    before = events.merge(outcomes[["customer_id", "ended_at"]], on="customer_id", how="left")
    open_or_before = before["ended_at"].isna() | (before["ts"] < before["ended_at"])
    before = before[open_or_before & ~before["touchpoint"].isin(ends)]
    judged = pandas_grid(before.drop(columns="ended_at"), prepared, cut).merge(outcomes, on="customer_id", how="left")
    judged["won"] = judged["decided"] & (judged["outcome"] == 1)
    rows = []
    for p in cut:
        g = judged[judged["step_index"] == p.index]
        for kind in ("skipped", "out_of_order", "late"):
            with_, without = g[g[kind]], g[~g[kind]]
            if len(with_):
                k1, n1 = int(with_["won"].sum()), int(with_["decided"].sum())
                k2, n2 = int(without["won"].sum()), int(without["decided"].sum())
                rows.append(deviation(p.step.id, kind, k1, n1, k2, n2, len(with_), len(without)))
    rows.sort(
        key=lambda r: (not r["significant"], r["evidence"] != "enough", r["difference"] is None, r["difference"] or 0)
    )
    return {
        "available": True,
        "customers": len(fully),
        "steps": steps,
        "fully_conformant_share": float(fully.mean()),
        "deviations": rows,
        "deviations_judged_until": cut[-1].step.id if cut else None,
    }


def test_pandas_gives_the_same_on_synthetic_data(tmp_path: Path) -> None:
    paths = synthetic.write(synthetic.generate(20_000, seed=3), tmp_path / "data")
    map_yaml = (EXAMPLES / "b2b-onboarding.yaml").read_text(encoding="utf-8")
    prepared = prepared_with(tmp_path, paths["events"].read_text(encoding="utf-8"), map_yaml)
    outcomes = customer_outcomes(prepared, "renewal", "churn-notice")
    ends = {"renewal", "churn-notice"}
    ours = conformance(prepared, outcomes, None, ends)
    events = prepared.events.select("customer_id", "ts", "load_id", "row", "touchpoint").to_pandas()
    reference = pandas_conformance(events, prepared, outcomes.to_pandas(), ends)
    assert ours["deviations_judged_until"] == "weighs-alternatives"  # the step before `renews`
    assert ours["customers"] > 1_000
    assert len(ours["deviations"]) > 10
    assert {s["step"] for s in ours["steps"] if s["out_of_order"] and s["late"] and s["skipped"]}  # all kinds occur
    assert rounded(ours) == rounded(reference)


RENEWAL_MAP = """\
id: renewals
title: Buy and renew
measure: {outcome: renewal, outcome_negative: churn}
touchpoints:
  - {id: website, name: Website}
  - {id: demo, name: Demo}
  - {id: survey, name: NPS survey}
  - {id: renewal, name: Renewal}
  - {id: churn, name: Churn}
stages:
  - id: all
    title: All
    steps:
      - {id: browse, action: Browses, touchpoints: [website]}
      - {id: see-demo, action: Sees a demo, touchpoints: [demo]}
      - {id: answer, action: Answers the survey, touchpoints: [survey]}
      - {id: renew, action: Renews, touchpoints: [renewal]}
"""
RENEWAL_LOG = """\
customer_id,timestamp,touchpoint
Q1,2026-01-01,Website
Q1,2026-01-02,Demo
Q1,2026-01-03,NPS survey
Q1,2026-02-01,Renewal
Q2,2026-01-01,Website
Q2,2026-02-01,Renewal
Q3,2026-01-01,Website
Q3,2026-01-02,Demo
Q3,2026-02-01,Churn
Q4,2026-01-01,Website
Q4,2026-01-03,NPS survey
Q4,2026-02-01,Renewal
Q5,2026-01-01,Website
Q5,2026-01-02,Demo
Q5,2026-02-01,Renewal
Q5,2026-02-02,NPS survey
Q6,2026-01-01,Website
Q6,2026-02-01,Churn
Q6,2026-02-02,Demo
"""
# Judged only before the outcome, on the steps before `renew` (browse, see-demo, answer):
#   Q1 does all three, renews. Q2 only browses before renewing: reached nothing later, so skips nothing
#   (the old rule had it "reach" the survey through its renewal and skip it, judged by that renewal).
#   Q3 browse, demo; churns. Q4 browse, survey (skips the demo), renews. Q5 browse, demo, renews, and
#   answers the survey only after renewing: not done in the journey that led to renewal. Q6 browses,
#   churns, then sees a demo: after the outcome, so not counted.
# The one deviation: see-demo skipped by Q4 (renewed: 1 of 1) against the other reached customers
# Q1, Q3, Q5 (2 of 3 renewed). The survey, the last step before renewal, can only be done or not reached;
# the renewal step itself is never a deviation.


def test_a_step_is_judged_only_by_what_happened_before_the_outcome(tmp_path: Path) -> None:
    prepared = prepared_with(tmp_path, RENEWAL_LOG, RENEWAL_MAP)
    result = conformance(prepared, customer_outcomes(prepared, "renewal", "churn"), None, {"renewal", "churn"})
    assert rounded(result["deviations"]) == rounded([deviation("see-demo", "skipped", 1, 1, 2, 3, 1, 3)])
    assert result["deviations_judged_until"] == "answer"
    assert [s["skipped"] for s in result["steps"]] == [0, 2, 1, 0]  # all events: Q2 "reaches" both via renewal


def test_the_outcome_step_is_never_a_deviation_even_when_it_would_be_judged_by_itself(tmp_path: Path) -> None:
    prepared = prepared_with(tmp_path, RENEWAL_LOG, RENEWAL_MAP)
    # Judged by churn, renewal is just another step: it comes after the cut too, since churn is on no step
    # but renewal is an outcome touchpoint of the run.
    result = conformance(prepared, customer_outcomes(prepared, "churn"), None, {"churn", "renewal"})
    assert {d["step"] for d in result["deviations"]} <= {"browse", "see-demo", "answer"}
    only_churn = conformance(prepared, customer_outcomes(prepared, "churn"), None, {"churn"})
    assert only_churn["deviations_judged_until"] == "renew"  # churn is on no step: nothing is cut
