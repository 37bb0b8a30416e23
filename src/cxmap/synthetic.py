"""Realistic, seeded touchpoint data for the demo, the tests and the benchmarks: a living book of business.

B2B SaaS accounts with several contacts each, walking the example onboarding map
(examples/maps/b2b-onboarding.yaml) with the raw event names a CRM, a helpdesk and a survey tool would
export. The book runs from START to END (2023-01-02 to 2026-01-01; no event is at or after END, so the
default as-of is END's last minutes and scripts/demo.sh's `--as-of 2025-12-31` is the book's end too).
Accounts start evenly over that time, the last ones LAST_START_DAYS (14) days before END; every account has
at least one contact, and a quarter of the contacts join 5 to 39 days after their account started.

A contact walks the journey's one-off steps (JOURNEY: pre-sale, contract, onboarding, first invoice), then
lives on a cadence (CADENCE: a QBR every quarter, a check-in call on day 30 and every half year after, an
NPS survey every year) with support tickets (TICKETS, 1.3 a year). On day 340 to 379 the contact decides:
renews (Renewal), churns (Churn notice) or lapses (neither: undecided, gone quiet). Renewers live on until
END at the same cadence, with routine tickets (graded a little better than the onboarding year's); contacts
who churn or lapse have no event after that day. Contacts who joined in the last year have not decided yet.

Current and active, as `cxmap accounts` sees it at an as-of moment A (by default the latest event): a
contact is *current* when it has a scored event (a score, or a comment that sentiment scores) with
A - 90 days < t <= A (`accounts.window_days`); an account is *current* when at least one of its contacts is
(the worst-contact rollup then gives it an experience; without one the accounts page says "no recent
score"). An account is *active* when it started on or before A's date and not every one of its contacts has
a churn notice at or before A. With the demo's data (200,000 events, seed 7) 79% of the active accounts are
current at the default as-of (tests/functional/test_synthetic_book.py requires 60%).

Known effects are planted so that analyses can be checked against them:

- hot spot: contacts whose kickoff call went well renew far more often than those whose kickoff went badly
  (the only planted driver of renewal besides each contact's temperament `mood` and recovery);
- problem area: data import is usually graded low;
- purple cow: the business review is graded high by almost everyone;
- recovery: after a contact's first bad support ticket, half the contacts get a recovery call within days
  (never later), and they renew more often than those who do not (a renewer whose first bad ticket comes
  after renewing gets the same call half the time);
- contagion: after a bad support ticket a contact skips 60% of later training, check-ins and QBRs;
- a non-effect: how the trial went has no bearing on renewal (it is graded independently of everything).

About 5% of the events (not churn notices) carry a comment chosen by touchpoint and by grade (see
cxmap.synthetic_comments); a third of those have no score, so sentiment gives the emotion.

Everything is generated with numpy, column by column (no loop over customers or events).
`python -m cxmap.synthetic OUT_DIR --events N` writes events, accounts and contacts files with about N
events (N / EVENTS_PER_CONTACT contacts); `--customers M` fixes the number of contacts instead and makes up
the difference to N events with more support tickets, spread over each contact's visible life.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cxmap.synthetic_comments import BANK, pick

START = np.datetime64("2023-01-02T00:00:00", "s")  # the first accounts start
END = np.datetime64("2026-01-01T00:00:00", "s")  # the data's end: every event is before it
LAST_START_DAYS = 14  # the last accounts start this many days before END
DAY = 86_400
NAT = np.datetime64("NaT", "s")

# (raw event name, department, channel, mean day after the contact's start, spread in days, probability,
#  mean grade 0-10, grade spread): the one-off steps, in the journey's order.
JOURNEY = [
    ("Website visit - pricing page", "Marketing", "web", -40, 10, 0.7, 6.5, 1.5),
    ("Demo call", "Sales", "video", -25, 7, 0.8, 7.5, 1.5),
    ("Trial workspace created", "Product", "app", -20, 5, 0.6, 6.5, 1.8),
    ("Contract signed", "Sales", "email", -5, 3, 0.9, 6.8, 1.2),
    ("Welcome email", "Customer Success", "email", 1, 1, 0.95, 7.2, 1.0),
    ("Kickoff call", "Customer Success", "video", 5, 3, 0.9, 6.8, 2.4),
    ("Import job", "Professional Services", "app", 12, 5, 0.8, 3.6, 1.6),
    ("Training session", "Customer Success", "video", 20, 6, 0.7, 7.8, 1.2),
    ("Invoice sent", "Finance", "email", 35, 3, 0.9, 5.4, 1.3),
]
# (name, department, channel, first day, then every so many days, spread in days, probability of each,
#  mean grade, grade spread): what recurs for as long as the contact lives.
CADENCE = [
    ("Check-in call", "Customer Success", "phone", 30, 182, 6, 0.75, 7.0, 1.4),
    ("QBR", "Customer Success", "video", 85, 91, 12, 0.7, 9.1, 0.7),
    ("NPS survey", "Customer Success", "email", 200, 365, 40, 0.6, 7.0, 2.0),
]
TRIAL = "Trial workspace created"
SUPPORT = ("Support ticket", "Support", "chat")
RECOVERY = ("Recovery call", "Customer Success", "phone")
RENEWAL = ("Renewal", "Sales", "email")
CHURN = ("Churn notice", "Sales", "email")
AVOIDED = ["Training session", "QBR", "Check-in call"]  # what a contact skips after a bad ticket (contagion)
SEGMENTS = np.array(["smb", "mid-market", "enterprise"])
ROLES = np.array(["champion", "admin", "end user", "finance", "executive"])
OWNERS = np.array(["Ana Ruiz", "Ben Okafor", "Chloe Martin", "Dev Patel", "Eva Jansen"])
WORDS = np.array(
    [
        "Acme",
        "Birch",
        "Cobalt",
        "Delta",
        "Ember",
        "Fjord",
        "Granite",
        "Harbor",
        "Iris",
        "Juniper",
        "Kestrel",
        "Lumen",
        "Maple",
        "Nimbus",
        "Orchid",
        "Pioneer",
        "Quartz",
        "Riverside",
    ]
)
SUFFIXES = np.array(["Logistics", "Health", "Foods", "Labs", "Retail", "Energy", "Media", "Works"])
TICKETS = 1.3  # support tickets per contact and year
EVENTS_PER_CONTACT = 14.5  # what the book gives a contact on average (measured: 14.48 to 14.54 at 5M-10M)

Part = tuple[np.ndarray, str, str, str, np.ndarray, np.ndarray]


@dataclass
class Dataset:
    events: pa.Table
    accounts: pa.Table
    contacts: pa.Table


def _grades(rng: np.random.Generator, mean: np.ndarray | float, spread: float, n: int) -> np.ndarray:
    return np.clip(np.round(rng.normal(mean, spread, n)), 0, 10)


def _days(x: np.ndarray) -> np.ndarray:
    return np.round(x * DAY).astype("timedelta64[s]")


def _first(n: int, who: np.ndarray, when: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Each contact's first `when` where `mask` holds (NaT for none)."""
    out = np.full(n, NAT)
    order = np.lexsort((when[mask], who[mask]))
    w, t = who[mask][order], when[mask][order]
    firsts = np.unique(w, return_index=True)[1]
    out[w[firsts]] = t[firsts]
    return out


def _spread(
    rng: np.random.Generator, count: np.ndarray, begin: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`count` times per contact (who, when), at random in [begin, begin + length days)."""
    who = np.repeat(np.arange(count.size), count)
    return who, begin[who] + _days(rng.random(who.size) * length[who])


def _recover(rng: np.random.Generator, chosen: np.ndarray, bad_at: np.ndarray) -> Part:
    """A recovery call 1 hour to 5 days after `bad_at`, for the `chosen` contacts."""
    who = np.flatnonzero(chosen)
    when = bad_at[who] + rng.integers(3_600, 5 * DAY, who.size).astype("timedelta64[s]")
    return (who, *RECOVERY, when, _grades(rng, 7.5, 1.0, who.size))


def generate(events: int = 200_000, seed: int = 7, customers: int | None = None) -> Dataset:
    """About `events` events (the exact number depends on the draws), with accounts and contacts.

    `customers`: the number of contacts (default: events / EVENTS_PER_CONTACT); when the events asked for
    exceed what the book gives them, each contact gets more support tickets to make up the difference.
    """
    rng = np.random.default_rng(seed)
    n = max(round(events / EVENTS_PER_CONTACT), 10) if customers is None else max(customers, 10)
    n_accounts = max(n // 3, 3)
    account_of = np.sort(np.concatenate([np.arange(n_accounts), rng.integers(0, n_accounts, n - n_accounts)]))
    last = int((END - START) / np.timedelta64(DAY, "s")) - LAST_START_DAYS
    account_start = START + rng.integers(0, last + 1, n_accounts) * DAY
    # Most contacts are there from the start; some join weeks later (milestones stay the account's), by END.
    late = rng.random(n) < 0.25
    added = np.minimum(account_start[account_of] + np.where(late, rng.integers(5, 40, n), 0) * DAY, END - DAY)
    mood = rng.normal(0, 0.8, n)  # each contact's own temperament
    parts: list[Part] = []

    def add(who: np.ndarray, name: str, dept: str, channel: str, when: np.ndarray, grade: np.ndarray) -> None:
        parts.append((who, name, dept, channel, when, grade))

    kickoff_grade = np.full(n, np.nan)
    for name, dept, channel, day, spread, prob, mean, sd in JOURNEY:
        who = np.flatnonzero(rng.random(n) < prob)
        when = added[who] + _days(rng.normal(day, spread, who.size))
        # The trial is graded on the product alone, not the contact's temperament: a planted non-effect.
        temperament = 0 if name == TRIAL else mood[who]
        grade = _grades(rng, mean + temperament, sd, who.size)
        if name == "Kickoff call":
            kickoff_grade[who] = grade
        add(who, name, dept, channel, when, grade)

    # The first year's support tickets; some go badly. Half the contacts with a bad one get a recovery call.
    who = np.repeat(np.arange(n), rng.poisson(TICKETS, n))
    when = added[who] + rng.integers(3, 330, who.size) * DAY + rng.integers(0, DAY, who.size).astype("timedelta64[s]")
    grade = _grades(rng, 6.2 + mood[who], 2.6, who.size)
    add(who, *SUPPORT, when, grade)
    first_bad = _first(n, who, when, grade <= 3)
    recovered = ~np.isnat(first_bad) & (rng.random(n) < 0.5)
    parts.append(_recover(rng, recovered, first_bad))

    # The decision, about a year in: driven by the kickoff (the planted hot spot) and recovery.
    kick = np.nan_to_num(kickoff_grade, nan=6.0)
    logit = -0.3 + 0.55 * (kick - 6) + 0.3 * mood - 1.2 * (~np.isnat(first_bad) & ~recovered)
    renews = rng.random(n) < 1 / (1 + np.exp(-logit))
    churns = ~renews & (rng.random(n) < 0.6)
    decided = added + rng.integers(340, 380, n) * DAY
    stop = np.where(renews, END, decided)  # renewers live on; the others are gone after that day

    for name, dept, channel, first, every, spread, prob, mean, sd in CADENCE:
        life = (stop - added) / np.timedelta64(DAY, "s")
        count = np.maximum((life - first) // every + 1, 0).astype(np.int64)
        who = np.repeat(np.arange(n), count)
        k = np.arange(who.size) - np.repeat(np.cumsum(count) - count, count)
        chosen = rng.random(who.size) < prob
        who, k = who[chosen], k[chosen]
        when = added[who] + _days(rng.normal(first + k * every, spread))
        add(who, name, dept, channel, when, _grades(rng, mean + mood[who], sd, who.size))

    # Renewers' tickets after renewing; the first bad one gets a recovery call half the time.
    after = np.where(renews, (END - decided) / np.timedelta64(DAY, "s"), 0).clip(0)
    who, when = _spread(rng, rng.poisson(TICKETS * after / 365), decided, after)
    grade = _grades(rng, 7.0 + mood[who], 2.0, who.size)
    add(who, *SUPPORT, when, grade)
    later_bad = _first(n, who, when, grade <= 3)
    parts.append(_recover(rng, np.isnat(first_bad) & ~np.isnat(later_bad) & (rng.random(n) < 0.5), later_bad))
    first_bad = np.where(np.isnat(first_bad), later_bad, first_bad)  # the first year's comes first
    if customers is not None:  # the extra tickets asked for, over each contact's visible life; they plant nothing
        begin = added + 3 * DAY
        visible = ((np.minimum(stop, END) - begin) / np.timedelta64(DAY, "s")).clip(0)
        extra = rng.poisson(max(0.0, events / n - EVENTS_PER_CONTACT), n)
        who, when = _spread(rng, np.where(visible > 0, extra, 0), begin, visible)
        add(who, *SUPPORT, when, _grades(rng, 6.2 + mood[who], 2.6, who.size))

    ren, churn = np.flatnonzero(renews), np.flatnonzero(churns)
    add(ren, *RENEWAL, decided[ren], _grades(rng, 7.5 + mood[ren], 1.5, ren.size))  # graded for its comment
    add(churn, *CHURN, decided[churn], np.full(churn.size, np.nan))

    table = _events_table(rng, parts, first_bad, account_of, stop)
    return Dataset(table, _accounts_table(rng, n_accounts, account_start), _contacts_table(rng, account_of, added))


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    return pa.array(np.char.add(prefix, np.char.zfill((numbers + 1).astype(str), width)))


def _events_table(
    rng: np.random.Generator, parts: list[Part], first_bad: np.ndarray, account_of: np.ndarray, stop: np.ndarray
) -> pa.Table:
    who = np.concatenate([p[0] for p in parts])
    kind = np.concatenate([np.full(p[0].size, i) for i, p in enumerate(parts)])
    when = np.concatenate([p[4] for p in parts])
    grade = np.concatenate([p[5] for p in parts])
    names = np.array([p[1] for p in parts])
    outcome = np.isin(names, [RENEWAL[0], CHURN[0]])[kind]
    # Nothing at or after END; nothing after a contact's decision but the renewal or churn notice itself.
    keep = (when < END) & ((when < stop[who]) | outcome)
    # Contagion: after a bad ticket, a contact skips later training, check-ins and business reviews more often.
    after_bad = ~np.isnat(first_bad[who]) & (when > first_bad[who])
    keep &= ~(after_bad & np.isin(names, AVOIDED)[kind] & (rng.random(who.size) < 0.6))
    who, kind, when, grade, outcome = who[keep], kind[keep], when[keep], grade[keep], outcome[keep]
    order = np.lexsort((kind, when, who))
    who, kind, when, grade, outcome = who[order], kind[order], when[order], grade[order], outcome[order]
    n = who.size
    # About 5% of events carry a comment that fits their touchpoint and grade; a third of those have no
    # score, so sentiment gives the emotion. Renewals and churn notices never have a score.
    commented = (rng.random(n) < 0.05) & ~np.isnan(grade)
    unscored = np.where(commented, rng.random(n) < 1 / 3, rng.random(n) < 0.3) | outcome
    score = np.where(unscored, np.nan, grade)
    bank_of = np.array([BANK.touchpoints.index(p[1]) if p[1] != CHURN[0] else -1 for p in parts])
    at = np.flatnonzero(commented)
    code = np.zeros(n, dtype=np.int64)
    code[at] = pick(rng, bank_of[kind[at]], grade[at])
    kinds = pa.array(kind)
    return pa.table(
        {
            "customer_id": _ids("C-", np.arange(stop.size), 6).take(pa.array(who)),
            "account_id": _ids("A-", account_of, 5).take(pa.array(who)),
            "timestamp": pa.array(when, type=pa.timestamp("s")),
            "touchpoint": pa.array(names).take(kinds),
            "channel": pa.array([p[3] for p in parts]).take(kinds),
            "department": pa.array([p[2] for p in parts]).take(kinds),
            "score": pa.array(score, from_pandas=True),
            "comment": pa.array(BANK.texts).take(pa.array(code, mask=~commented)),
        }
    )


def _accounts_table(rng: np.random.Generator, n: int, start: np.ndarray) -> pa.Table:
    names = np.char.add(
        np.char.add(WORDS[rng.integers(0, WORDS.size, n)], " "), SUFFIXES[rng.integers(0, SUFFIXES.size, n)]
    )
    return pa.table(
        {
            "account_id": _ids("A-", np.arange(n), 5),
            "name": pa.array(np.char.add(names, np.char.add(" ", np.arange(1, n + 1).astype(str)))),
            "started_at": pa.array(start.astype("datetime64[D]"), type=pa.date32()),
            "segment": pa.array(SEGMENTS[rng.choice(3, n, p=[0.5, 0.35, 0.15])]),
            "owner": pa.array(OWNERS[rng.integers(0, OWNERS.size, n)]),
        }
    )


def _contacts_table(rng: np.random.Generator, account_of: np.ndarray, added: np.ndarray) -> pa.Table:
    n = account_of.size
    return pa.table(
        {
            "customer_id": _ids("C-", np.arange(n), 6),
            "account_id": _ids("A-", account_of, 5),
            "added_at": pa.array(added.astype("datetime64[D]"), type=pa.date32()),
            "role": pa.array(ROLES[rng.integers(0, ROLES.size, n)]),
        }
    )


def write(data: Dataset, folder: Path, fmt: str = "csv") -> dict[str, Path]:
    """Write events (CSV or Parquet), accounts.csv and contacts.csv into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "events": folder / f"events.{fmt}",
        "accounts": folder / "accounts.csv",
        "contacts": folder / "contacts.csv",
    }
    if fmt == "parquet":
        pq.write_table(data.events, paths["events"])
    else:
        pacsv.write_csv(data.events, paths["events"])
    pacsv.write_csv(data.accounts, paths["accounts"])
    pacsv.write_csv(data.contacts, paths["contacts"])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a seeded, realistic B2B SaaS touchpoint data set.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--events", type=int, default=200_000, help="About how many events (default 200000).")
    parser.add_argument(
        "--customers",
        type=int,
        default=None,
        help=f"How many customers (contacts); default events / {EVENTS_PER_CONTACT}. Events beyond about "
        f"{EVENTS_PER_CONTACT} per customer are extra support tickets.",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    args = parser.parse_args()
    data = generate(args.events, args.seed, args.customers)
    paths = write(data, args.folder, args.format)
    print(
        f"wrote {data.events.num_rows:,} events, {data.accounts.num_rows:,} accounts, "
        f"{data.contacts.num_rows:,} contacts to {args.folder}/ ({', '.join(p.name for p in paths.values())})"
    )


if __name__ == "__main__":
    main()
