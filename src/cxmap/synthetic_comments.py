"""The comments of the synthetic data (cxmap.synthetic): what a customer writes, by touchpoint and by tone.

A comment is `opener + theme + closer`. A theme belongs to one touchpoint (import comments talk about the
import, invoice comments about invoices, support comments about tickets, waiting, being passed around,
refunds...) and to one tone, chosen by the event's grade 0-10 (its score, or the grade it would have had):
negative for 3 or lower, neutral for 4 to 6, positive for 7 or higher. Openers and closers belong to a
tone too, so a neutral comment such as "Call rescheduled to Thursday" never rides on an event graded 7+
or 3-. VADER reads every positive comment at a compound of at least +0.4 (emotion >= 7), every negative
one at -0.4 or lower (emotion <= 3) and every neutral one in between (tests/unit/test_synthetic_comments.py).

`BANK` holds every comment once, in the order (touchpoint, tone, theme, opener, closer); `pick` draws
indices into it with numpy, one per event, with no loop over events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEGATIVE, NEUTRAL, POSITIVE = 0, 1, 2

# touchpoint (raw event name) -> (negative, neutral, positive) themes; churn notices carry no comment.
THEMES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "Website visit - pricing page": (
        [
            "Pricing page is confusing and misleading, hidden costs everywhere",
            "Could not find the real price, frustrating",
        ],
        ["Compared the plans on the website", "Checked whether the API is in the base plan"],
        ["Pricing page was clear and easy to compare", "Great product pages with real screenshots"],
    ),
    "Demo call": (
        ["Pushy sales demo, a waste of our time", "Bad demo, nothing about our actual workflow"],
        ["Demo moved to Tuesday", "Asked for a second demo with our IT team"],
        ["Great demo, the rep clearly understood our process", "Excellent demo shaped around our use case"],
    ),
    "Trial workspace created": (
        ["Trial workspace was empty and confusing", "The trial kept logging us out, annoying"],
        ["Started the trial with the sample data", "Invited two colleagues to the trial"],
        ["Trial was easy to set up and the sample data helped a lot", "Smooth trial, everything just worked, love it"],
    ),
    "Contract signed": (
        ["Wrong prices on the order form, frustrating", "Legal review dragged on for weeks, painful and annoying"],
        ["Order form sent to legal for review", "Contract signed for twelve months"],
        ["Signing was quick and painless, great", "Happy with the terms we agreed"],
    ),
    "Welcome email": (
        ["Confusing onboarding email, we felt lost and annoyed", "Welcome email full of broken links, annoying"],
        ["Got the email with the next steps", "Forwarded the onboarding email to the team"],
        ["Lovely welcome email from our CSM", "Great welcome email with clear next steps"],
    ),
    "Kickoff call": (
        [
            "Terrible kickoff, the CSM had not read our notes",
            "Disappointing kickoff, the plan was a mess",
            "The workspace was not ready at the kickoff, frustrating",
        ],
        [
            "Kickoff call rescheduled to Thursday",
            "Kickoff notes shared with the team",
            "Kickoff covered the project plan",
        ],
        [
            "Brilliant kickoff, the CSM knew our use case",
            "Great kickoff call, clear plan and owners",
            "Excellent kickoff, the workspace was ready",
        ],
    ),
    "Import job": (
        [
            "The import broke our data again, very frustrating",
            "Import failed halfway and we lost a day",
            "Duplicate records everywhere after the import, awful",
            "Half the fields are wrong after the import, terrible",
        ],
        ["Import of the CSV files scheduled", "Second import batch started", "Import log sent to the partner"],
        [
            "Great import, every record arrived correctly",
            "The import was fast and clean, impressive",
            "Happy with the import, the field mapping is excellent",
        ],
    ),
    "Training session": (
        ["Training was too basic and a waste of time", "Boring training, the trainer just read the slides, dull"],
        ["Training session for the new hires", "Training recording shared with the team"],
        ["Great training, the team is confident now", "Excellent trainer, patient and clear"],
    ),
    "Check-in call": (
        [
            "Check-in was a waste, just a sales pitch, disappointing",
            "Our CSM cancelled the check-in again, annoying",
            "Pointless check-in, our issues were ignored, annoying",
        ],
        ["Call rescheduled to Thursday", "Check-in call about the roadmap", "Check-in notes sent by email"],
        [
            "Helpful check-in, our CSM really listens",
            "Good check-in call, quick wins agreed",
            "Great check-in, all open points resolved",
        ],
    ),
    "Invoice sent": (
        [
            "Confusing invoice, we were overcharged, annoying",
            "Wrong invoice again, our finance team is angry",
            "Surprise charges on the invoice, we are angry",
        ],
        ["Invoice for March", "Asked for the invoice as a PDF", "Invoice forwarded to accounts payable"],
        ["Clear invoice, exactly as agreed, great", "Invoice was correct and easy to process, thanks"],
    ),
    "QBR": (
        ["The QBR was a sales pitch, disappointing", "Unprepared QBR with wrong numbers, embarrassing"],
        ["QBR moved to next week", "QBR deck shared with the team", "QBR covered usage and the roadmap"],
        [
            "Fantastic business review, our COO loved the numbers",
            "Great QBR, clear value and a solid plan",
            "Excellent review, the best vendor meeting we have",
            "Really useful QBR, impressive insight into our usage",
        ],
    ),
    "NPS survey": (
        ["Would not recommend, too many problems", "Disappointed with the product so far"],
        ["Survey answered by the ops lead", "Filled in the survey for the team"],
        ["Would recommend, great product and great people", "Love the product, the team is fantastic"],
    ),
    "Support ticket": (
        [
            "Terrible support, we waited for a callback in vain",
            "Waited three days for an answer, awful",
            "Passed around between four agents, frustrating",
            "Slow answers and a useless workaround, frustrating",
            "Still no refund after two weeks, unacceptable",
            "The agent blamed us for the bug, rude",
        ],
        [
            "Ticket about user permissions",
            "Asked about the API limits",
            "Question about the export format",
            "Ticket about single sign-on set-up",
            "Requested a refund for an extra seat",
            "Ticket reopened with more details",
        ],
        [
            "Fast and friendly support, thank you",
            "Support fixed it in an hour, excellent",
            "Great agent, explained everything clearly",
            "Quick refund, no questions asked, great service",
            "Problem solved on the first reply, impressive",
            "Helpful support, the workaround is perfect",
        ],
    ),
    "Recovery call": (
        ["Still broken after the callback, frustrating", "A polite call, still broken, disappointing"],
        ["Follow-up call about the ticket", "Callback scheduled for Friday"],
        ["Thank you for calling back, much appreciated", "Great that a manager called and took ownership"],
    ),
    "Renewal": (
        ["Renewal was a hassle, frustrating", "Reluctant renewal, too many problems this year"],
        ["Renewal signed for twelve months", "Renewal paperwork sent to procurement"],
        ["Happy to renew for another year", "Easy renewal, great value"],
    ),
}
OPENERS = (["", "Sadly, ", "Again, "], ["", "Note: ", "For the record, "], ["", "Honestly, ", "Overall, "])
CLOSERS = (
    [".", ". So frustrating.", ". Really disappointed."],
    [".", ". Will follow up.", ". More next week."],
    [".", "! Thank you.", ". Really happy with this."],
)
N_OPEN, N_CLOSE = len(OPENERS[0]), len(CLOSERS[0])


def tone(grade: np.ndarray) -> np.ndarray:
    """NEGATIVE for a grade of 3 or lower, POSITIVE for 7 or higher, NEUTRAL in between."""
    return np.where(grade <= 3, NEGATIVE, np.where(grade >= 7, POSITIVE, NEUTRAL))


@dataclass(frozen=True)
class Bank:
    texts: np.ndarray  # every comment once: (touchpoint, tone, theme, opener, closer)
    tones: np.ndarray  # the tone of each comment
    owner: np.ndarray  # the touchpoint (its number in `touchpoints`) of each comment
    touchpoints: list[str]  # the touchpoints in the order of THEMES
    first: np.ndarray  # [touchpoint, tone]: the first theme's number
    count: np.ndarray  # [touchpoint, tone]: how many themes


def _build() -> Bank:
    rows = [(t, k, theme) for t, banks in enumerate(THEMES.values()) for k in range(3) for theme in banks[k]]
    tp = np.array([r[0] for r in rows])
    tones = np.array([r[1] for r in rows])
    themes = np.array([r[2] for r in rows])
    count = np.zeros((len(THEMES), 3), dtype=np.int64)
    np.add.at(count, (tp, tones), 1)
    first = (np.cumsum(count.ravel()) - count.ravel()).reshape(count.shape)
    # After an opener the theme goes on in lower case, unless it starts with an abbreviation (QBR, CSV...).
    lower = np.array([f"{s[0].lower()}{s[1:]}" if s[1:2].islower() else s for s in themes])  # ~120 themes, once
    openers = np.array(OPENERS)[tones]  # (themes, openers)
    closers = np.array(CLOSERS)[tones]  # (themes, closers)
    body = np.where(openers == "", themes[:, None], lower[:, None])
    texts = np.char.add(np.char.add(openers, body)[:, :, None], closers[:, None, :])
    shape = texts.shape
    per_theme = shape[1] * shape[2]
    return Bank(texts.ravel(), np.repeat(tones, per_theme), np.repeat(tp, per_theme), list(THEMES), first, count)


BANK = _build()


def pick(rng: np.random.Generator, touchpoint: np.ndarray, grade: np.ndarray) -> np.ndarray:
    """Indices into BANK.texts: for each event (its touchpoint's number in THEMES, its grade 0-10) a theme
    of its touchpoint and tone, an opener and a closer of that tone, drawn at random."""
    k = tone(grade)
    theme = BANK.first[touchpoint, k] + (rng.random(touchpoint.size) * BANK.count[touchpoint, k]).astype(np.int64)
    opener = rng.integers(0, N_OPEN, touchpoint.size)
    closer = rng.integers(0, N_CLOSE, touchpoint.size)
    code: np.ndarray = (theme * N_OPEN + opener) * N_CLOSE + closer
    return code
