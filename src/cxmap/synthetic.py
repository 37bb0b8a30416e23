"""Realistic, seeded touchpoint data for the demo, the tests and the benchmarks.

B2B SaaS accounts with several contacts each, walking the example onboarding map
(examples/maps/b2b-onboarding.yaml) with the raw event names a CRM, a helpdesk and a survey tool would
export. Known effects are planted so that analyses can be checked against them:

- hot spot: contacts whose kickoff call went well renew far more often than those whose kickoff went badly;
- problem area: data import is usually graded low;
- purple cow: the business review is graded high by almost everyone;
- recovery: after a bad support ticket, half the contacts get a recovery call within days, and they renew
  more often than those who do not;
- contagion: a bad support ticket makes a contact less likely to attend training and the business review;
- a non-effect: how the trial went has no bearing on renewal (it is graded independently of everything).

Everything is generated with numpy, column by column (no loop over customers), so 10 million events take
seconds. `python -m cxmap.synthetic OUT_DIR --events N` writes events, accounts and contacts files;
`--customers M` fixes the number of contacts instead (about 11.5 events each by default) and makes up the
difference to N events with more support tickets, e.g. 1M customers with 17.5 events each.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

EPOCH = np.datetime64("2024-09-02T00:00:00", "s")
DAY = 86_400

# (raw event name, department, channel, mean day after the contact's start, spread in days, probability,
#  mean grade 0-10, grade spread); the order is the journey's.
JOURNEY = [
    ("Website visit - pricing page", "Marketing", "web", -40, 10, 0.7, 6.5, 1.5),
    ("Demo call", "Sales", "video", -25, 7, 0.8, 7.5, 1.5),
    ("Trial workspace created", "Product", "app", -20, 5, 0.6, 6.5, 1.8),
    ("Contract signed", "Sales", "email", -5, 3, 0.9, 6.8, 1.2),
    ("Welcome email", "Customer Success", "email", 1, 1, 0.95, 7.2, 1.0),
    ("Kickoff call", "Customer Success", "video", 5, 3, 0.9, 6.8, 2.4),
    ("Import job", "Professional Services", "app", 12, 5, 0.8, 3.6, 1.6),
    ("Training session", "Customer Success", "video", 20, 6, 0.7, 7.8, 1.2),
    ("Check-in call", "Customer Success", "phone", 30, 6, 0.75, 7.0, 1.4),
    ("Invoice sent", "Finance", "email", 35, 3, 0.9, 5.4, 1.3),
    ("QBR", "Customer Success", "video", 85, 12, 0.7, 9.1, 0.7),
    ("NPS survey", "Customer Success", "email", 200, 40, 0.6, 7.0, 2.0),
]
TRIAL = "Trial workspace created"
SUPPORT = ("Support ticket", "Support", "chat")
RECOVERY = ("Recovery call", "Customer Success", "phone")
RENEWAL = ("Renewal", "Sales", "email")
CHURN = ("Churn notice", "Sales", "email")

POSITIVE = [
    "Great session, the team really knew our setup",
    "Fast and friendly, thank you!",
    "Exactly what we needed, excellent help",
    "Love the new dashboard, super useful",
]
NEGATIVE = [
    "Terrible experience, nobody called back",
    "The import broke our data again, very frustrating",
    "Slow answers and the fix did not work",
    "Confusing invoice, we were overcharged",
]
NEUTRAL = [
    "Ticket about user permissions",
    "Asked about the API limits",
    "Invoice for March",
    "Call rescheduled to Thursday",
]
OPENERS = ["", "Honestly, ", "To be fair, ", "As our admin said: ", "Quick note: ", "Well. "]
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
TICKETS = 1.3  # support tickets per contact, on average
EVENTS_PER_CONTACT = 11.46  # what the journey above gives a contact on average, with TICKETS tickets


@dataclass
class Dataset:
    events: pa.Table
    accounts: pa.Table
    contacts: pa.Table


def _grades(rng: np.random.Generator, mean: np.ndarray | float, spread: float, n: int) -> np.ndarray:
    return np.clip(np.round(rng.normal(mean, spread, n)), 0, 10)


def generate(events: int = 200_000, seed: int = 7, customers: int | None = None) -> Dataset:
    """About `events` events (the exact number depends on the draws), with accounts and contacts.

    `customers`: the number of contacts (default: events / 12); when the events asked for exceed what the
    journey gives them, each contact gets more support tickets to make up the difference.
    """
    rng = np.random.default_rng(seed)
    n_contacts = max(events // 12, 10) if customers is None else max(customers, 10)
    tickets_per_contact = TICKETS
    if customers is not None:  # make up the events asked for with more support tickets
        tickets_per_contact += max(0.0, events / n_contacts - EVENTS_PER_CONTACT)
    n_accounts = max(n_contacts // 3, 3)
    account_of = np.sort(rng.integers(0, n_accounts, n_contacts))
    account_start = EPOCH + rng.integers(0, 300, n_accounts) * DAY
    # Most contacts are there from the start; some join weeks later (milestones stay the account's).
    late = rng.random(n_contacts) < 0.25
    added = account_start[account_of] + np.where(late, rng.integers(5, 40, n_contacts), 0) * DAY
    mood = rng.normal(0, 0.8, n_contacts)  # each contact's own temperament

    parts: list[tuple[np.ndarray, str, str, str, np.ndarray, np.ndarray]] = []

    def add(who: np.ndarray, name: str, dept: str, channel: str, when: np.ndarray, grade: np.ndarray) -> None:
        parts.append((who, name, dept, channel, when, grade))

    kickoff_grade = np.full(n_contacts, np.nan)
    for name, dept, channel, day, spread, prob, mean, sd in JOURNEY:
        who = np.flatnonzero(rng.random(n_contacts) < prob)
        when = added[who] + np.round(rng.normal(day, spread, who.size) * DAY).astype("timedelta64[s]")
        # The trial is graded on the product alone, not the contact's temperament: a planted non-effect.
        temperament = 0 if name == TRIAL else mood[who]
        grade = _grades(rng, mean + temperament, sd, who.size)
        if name == "Kickoff call":
            kickoff_grade[who] = grade
        add(who, name, dept, channel, when, grade)

    # Support tickets: a few per contact, spread over the first year; some go badly.
    tickets = rng.poisson(tickets_per_contact, n_contacts)
    who = np.repeat(np.arange(n_contacts), tickets)
    when = added[who] + rng.integers(3, 330, who.size) * DAY + rng.integers(0, DAY, who.size).astype("timedelta64[s]")
    grade = _grades(rng, 6.2 + mood[who], 2.6, who.size)
    add(who, *SUPPORT, when, grade)
    bad = grade <= 3
    first_bad = np.full(n_contacts, np.datetime64("NaT"), dtype="datetime64[s]")
    order = np.argsort(when[bad])
    bad_who, bad_when = who[bad][order], when[bad][order]
    keep = np.unique(bad_who, return_index=True)[1]
    first_bad[bad_who[keep]] = bad_when[keep]
    had_bad = ~np.isnat(first_bad)

    # Service recovery: half of the contacts with a bad ticket get a call within about four days.
    recovered = had_bad & (rng.random(n_contacts) < 0.5)
    rec = np.flatnonzero(recovered)
    rec_when = first_bad[rec] + rng.integers(3_600, 5 * DAY, rec.size).astype("timedelta64[s]")
    add(rec, *RECOVERY, rec_when, _grades(rng, 7.5, 1.0, rec.size))

    # Outcome: renewal about a year in; driven by the kickoff (the planted hot spot) and recovery.
    kick = np.nan_to_num(kickoff_grade, nan=6.0)
    logit = -0.3 + 0.55 * (kick - 6) + 0.3 * mood - 1.2 * (had_bad & ~recovered)
    renews = rng.random(n_contacts) < 1 / (1 + np.exp(-logit))
    end = added + (rng.integers(340, 380, n_contacts) * DAY).astype("timedelta64[s]")
    ren = np.flatnonzero(renews)
    add(ren, *RENEWAL, end[ren], np.full(ren.size, np.nan))
    churn = np.flatnonzero(~renews & (rng.random(n_contacts) < 0.6))
    add(churn, *CHURN, end[churn], np.full(churn.size, np.nan))

    table = _events_table(rng, parts, first_bad, account_of)
    return Dataset(table, _accounts_table(rng, n_accounts, account_start), _contacts_table(rng, account_of, added))


def _events_table(
    rng: np.random.Generator,
    parts: list[tuple[np.ndarray, str, str, str, np.ndarray, np.ndarray]],
    first_bad: np.ndarray,
    account_of: np.ndarray,
) -> pa.Table:
    who = np.concatenate([p[0] for p in parts])
    kind = np.concatenate([np.full(p[0].size, i) for i, p in enumerate(parts)])
    when = np.concatenate([p[4] for p in parts])
    grade = np.concatenate([p[5] for p in parts])
    names = np.array([p[1] for p in parts])
    depts = np.array([p[2] for p in parts])
    channels = np.array([p[3] for p in parts])
    # Contagion: after a bad ticket, a contact skips later training and business reviews more often.
    after_bad = ~np.isnat(first_bad[who]) & (when > first_bad[who])
    avoidable = np.isin(names[kind], ["Training session", "QBR", "Check-in call"])
    keep = ~(after_bad & avoidable & (rng.random(who.size) < 0.6))
    who, kind, when, grade = who[keep], kind[keep], when[keep], grade[keep]
    order = np.lexsort((kind, when, who))
    who, kind, when, grade = who[order], kind[order], when[order], grade[order]
    n = who.size
    # About 5% of events carry a comment; a third of those have no score, so sentiment gives the emotion.
    commented = rng.random(n) < 0.05
    pick = rng.integers(0, 4, n)
    tone = np.where(grade >= 8, 0, np.where(grade <= 3, 1, 2))
    tone = np.where(np.isnan(grade), 2, tone)
    bank = np.array([POSITIVE, NEGATIVE, NEUTRAL])
    opener = np.array(OPENERS)[rng.integers(0, len(OPENERS), n)]
    texts = np.char.add(opener, bank[tone, pick]).astype(object)
    comment = np.where(commented, texts, np.array(None, dtype=object))
    unscored = commented & (rng.random(n) < 0.35)
    score = np.where(unscored | (rng.random(n) < 0.3), np.nan, grade)
    return pa.table(
        {
            "customer_id": pa.array(np.char.add("C-", np.char.zfill((who + 1).astype(str), 6))),
            "account_id": pa.array(np.char.add("A-", np.char.zfill((account_of[who] + 1).astype(str), 5))),
            "timestamp": pa.array(when.astype("datetime64[s]"), type=pa.timestamp("s")),
            "touchpoint": pa.array(names[kind]),
            "channel": pa.array(channels[kind]),
            "department": pa.array(depts[kind]),
            "score": pa.array(score, from_pandas=True),
            "comment": pa.array(comment, type=pa.string()),
        }
    )


def _accounts_table(rng: np.random.Generator, n: int, start: np.ndarray) -> pa.Table:
    names = np.char.add(
        np.char.add(WORDS[rng.integers(0, WORDS.size, n)], " "), SUFFIXES[rng.integers(0, SUFFIXES.size, n)]
    )
    return pa.table(
        {
            "account_id": pa.array(np.char.add("A-", np.char.zfill(np.arange(1, n + 1).astype(str), 5))),
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
            "customer_id": pa.array(np.char.add("C-", np.char.zfill(np.arange(1, n + 1).astype(str), 6))),
            "account_id": pa.array(np.char.add("A-", np.char.zfill((account_of + 1).astype(str), 5))),
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
        help="How many customers (contacts); default events / 12. Events beyond about 11.5 per customer are "
        "extra support tickets.",
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
