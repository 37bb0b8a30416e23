"""The demo's data set (`python -m cxmap.synthetic --events 200000 --seed 7`, as scripts/demo.sh makes it) is a
living book of business: at the default as-of most accounts have a current experience, the comments are
many and fit their event, churned contacts fall silent, and accounts keep starting until the end.

Definitions, at the as-of moment A (the default: the workspace's latest event) and with the workspace's
`accounts.window_days` W (90):

- a contact is *current* when it has a scored event (a score, or a comment that sentiment scores: the
  event's emotion is not null) with A - W days < t <= A; an account is *current* when at least one of its
  contacts is, which is when `cxmap accounts` (cxmap.service.accounts.accounts) gives it an experience;
- an account is *active* when it started on or before A's date (`started_at`) and not every one of its
  contacts has a churn notice at or before A.

Required: at least 60% of the active accounts are current, counted from cxmap's own accounts answer and,
independently, from the generated tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from cxmap import synthetic
from cxmap.progress import Steps
from cxmap.service import accounts as service
from cxmap.service.answers import answer_json
from cxmap.synthetic_comments import BANK, tone
from cxmap.workspace import init_workspace
from cxmap.workspace.ingest import Options, ingest


@dataclass
class Book:
    data: synthetic.Dataset
    events: pd.DataFrame
    as_of: datetime  # the default as-of moment, naive UTC
    window_days: int
    experience: dict[str, float | None]  # account id -> the accounts answer's experience


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    root = tmp_path_factory.mktemp("book")
    data = synthetic.generate(200_000, seed=7)
    paths = synthetic.write(data, root / "data")
    ws = init_workspace(root / "ws")  # in UTC (the default), so stored times are the generated ones
    for kind in ("accounts", "contacts", "events"):
        ingest(ws, [str(paths[kind])], Options(kind=kind), Steps(None))
    ctx = service.context(ws.root)
    try:
        rows = answer_json(service.accounts(ctx))
        as_of, window = ctx.as_of.instant, ctx.workspace.settings.accounts.window_days
    finally:
        ctx.con.disconnect()
    events = data.events.to_pandas()
    return Book(data, events, as_of, window, {r["account_id"]: r["experience"] for r in rows})


def active_accounts(book: Book) -> set[str]:
    accounts = book.data.accounts.to_pandas()
    contacts = book.data.contacts.to_pandas()
    e = book.events
    churned = set(e.customer_id[(e.touchpoint == "Churn notice") & (e.timestamp <= book.as_of)])
    all_churned = contacts.customer_id.isin(churned).groupby(contacts.account_id).all()
    started = accounts.account_id[pd.to_datetime(accounts.started_at) <= book.as_of]
    return {a for a in started if not all_churned[a]}


def test_the_default_as_of_is_the_books_end(book: Book) -> None:
    assert book.as_of == book.events.timestamp.max().to_pydatetime()
    assert book.as_of < synthetic.END.astype(datetime)
    assert book.as_of > synthetic.END.astype(datetime) - timedelta(days=1)


def test_most_active_accounts_are_current(book: Book) -> None:
    e, contacts = book.events, book.data.contacts.to_pandas()
    scored = e.score.notna() | e.comment.notna()
    recent = scored & (e.timestamp > book.as_of - timedelta(days=book.window_days)) & (e.timestamp <= book.as_of)
    by_hand = set(contacts.account_id[contacts.customer_id.isin(e.customer_id[recent])])
    by_cxmap = {a for a, experience in book.experience.items() if experience is not None}
    assert by_cxmap == by_hand
    active = active_accounts(book)
    # Every account has started by A; one is inactive only when all its contacts churned. A decided contact
    # churns with about 0.5 x 0.6 = 0.3, an account has 1 + Poisson(2) contacts, so E[0.3^k] = 0.3 e^-1.4 =
    # 7% of the decided accounts (two thirds of them) are inactive: about 5% of all.
    assert 0.9 * len(book.experience) < len(active) < len(book.experience)
    assert len(active & by_cxmap) >= 0.6 * len(active)


def test_comments_are_many_and_fit_their_event(book: Book) -> None:
    e = book.events
    commented = e[e.comment.notna()]
    assert 0.045 < len(commented) / len(e) < 0.055
    assert 0.30 < commented.score.isna().mean() < 0.37  # a third have no score: sentiment scores them
    assert 300 <= commented.comment.nunique() <= 1000
    where = {text: i for i, text in enumerate(BANK.texts.tolist())}
    at = commented.comment.map(where)
    assert at.notna().all()
    owner = np.array(BANK.touchpoints)[BANK.owner[at.to_numpy(dtype=int)]]
    assert (owner == commented.touchpoint.to_numpy()).all()  # import comments on imports, and so on
    scored = commented.score.notna().to_numpy()
    comment_tone = BANK.tones[at.to_numpy(dtype=int)][scored]
    assert (comment_tone == tone(commented.score.to_numpy()[scored])).all()  # no neutral comment on a 7+ or 3-
    assert "Churn notice" not in set(commented.touchpoint)


def test_churned_contacts_fall_silent_and_renewers_live_on(book: Book) -> None:
    e = book.events
    churn = e[e.touchpoint == "Churn notice"].set_index("customer_id").timestamp
    assert churn.index.is_unique
    others = e[e.customer_id.isin(churn.index) & (e.touchpoint != "Churn notice")]
    assert len(others) > 0
    assert (others.timestamp < others.customer_id.map(churn)).all()
    renewed = e[e.touchpoint == "Renewal"].set_index("customer_id").timestamp
    later = e[e.customer_id.isin(renewed.index) & (e.timestamp > e.customer_id.map(renewed))]
    early = renewed[renewed < book.as_of - timedelta(days=365)].index  # renewed over a year before A
    assert set(later.touchpoint) >= {"Support ticket", "Check-in call", "QBR", "NPS survey"}
    lively = set(later.customer_id[later.timestamp > book.as_of - timedelta(days=book.window_days)])
    # A renewer's quarter holds on average 0.7 QBRs, 0.37 check-ins, 0.32 tickets and 0.15 NPS surveys, about
    # 1.5 events, so about 1 - e^-1.5 = 78% of them have one in any 90 days (fewer after a bad ticket).
    assert len(lively & set(early)) > 0.7 * len(early)


def test_accounts_start_until_shortly_before_the_end(book: Book) -> None:
    starts = pd.to_datetime(book.data.accounts.to_pandas().started_at)
    end = synthetic.END.astype(datetime)
    assert starts.max() >= end - timedelta(days=60)
    assert starts.max() <= end - timedelta(days=synthetic.LAST_START_DAYS)
    start = synthetic.START.astype(datetime)
    assert start <= starts.min() < start + timedelta(days=30)
    months = set(starts.dt.to_period("M"))
    assert len(months) == len(pd.period_range(starts.min(), end - timedelta(days=1), freq="M"))  # no gap
