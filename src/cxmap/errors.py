"""Errors users see: each says what is wrong, where, and why; many are collected into one report."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Self

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input, at a place in a file (line and column are 1-based; 0 = unknown)."""

    path: str
    line: int
    col: int
    message: str
    severity: Severity = "error"
    rule: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line else self.path
        tag = "error" if self.severity == "error" else f"warning {self.rule}" if self.rule else "warning"
        return f"{where}: {tag}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }


class Face(Protocol):
    """How one face of cxmap (the command line, the web, Python) names the inputs a message speaks of.

    The core names an input by its field (`kind`, `outcome_negative`, `strict`), never by a flag: each face
    words it in its own terms, in one place (cli/output.py, web/words.py, `PLAIN` below).
    """

    def field(self, name: str) -> str:
        """The input itself: `--outcome-negative` on the command line, `outcome_negative` in the API."""
        ...

    def switch(self, name: str) -> str:
        """A yes/no input turned on: `--strict`, `strict=true`."""
        ...

    def setting(self, name: str, value: str) -> str:
        """An input given a value: `--scale 1-5`, `scale=1-5`."""
        ...

    def column(self, role: str, column: str | None) -> str | None:
        """Advice to load the source `column` (None: a column yet to be named) as the canonical `role`; None
        when the face has nothing to say (an event sent to the API names its own keys)."""
        ...


Words = Callable[[Face], str]  # a message whose wording depends on the face that shows it


class _Plain:
    """The core's own terms, for `str(error)` and Python callers: inputs by their field (keyword) names."""

    def field(self, name: str) -> str:
        return name

    def switch(self, name: str) -> str:
        return f"{name}=True"

    def setting(self, name: str, value: str) -> str:
        return f"{name}={value}"

    def column(self, role: str, column: str | None) -> str | None:
        return f"map it with columns='{role}={column}'" if column else f"map one with columns='{role}=YOUR_COLUMN'"


PLAIN: Face = _Plain()


class CxmapError(Exception):
    """Root of every error cxmap raises on purpose; the CLI prints it as one line per problem, exit 1.

    `code` is stable (the CLI's --json and the API return it); `field` names the input at fault in the
    core's terms, and each face words it (`--kind: ...` on the command line, `kind: ...` in the API). A
    message that speaks of another input mid-sentence is given as `Words`, a function of the face.
    """

    code = "invalid_input"
    retry_after: int | None = None  # seconds worth waiting before trying again (HTTP Retry-After); None: don't

    def __init__(
        self, message: str | Words, problems: list[Problem] | None = None, *, field: str | None = None
    ) -> None:
        self.words: str | Words = message  # a plain string keeps the error picklable
        self.message = self.worded(PLAIN)  # without the field: see `say`
        self.problems: list[Problem] = problems or []
        self.field = field
        super().__init__(self.say(PLAIN))

    def say(self, face: Face = PLAIN) -> str:
        """The message in a face's terms, led by the field it is about."""
        text = self.worded(face)
        return f"{face.field(self.field)}: {text}" if self.field else text

    def worded(self, face: Face) -> str:
        """The message alone (without the field) in a face's terms."""
        return self.words(face) if callable(self.words) else self.words

    def lines(self, face: Face = PLAIN) -> list[str]:
        """What the user reads: one line per problem, or the message alone."""
        return [str(p) for p in self.problems] or [self.say(face)]

    def to_json(self, face: Face = PLAIN) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.say(face),
                "details": [p.to_json() for p in self.problems],
            }
        }

    def reworded(self, change: Callable[[str], str]) -> Self:
        """The same error (type, code, field, problems) with its words passed through `change`: for a face
        that names a place its own way (the API's "event 3" for a line of the batch file it wrote)."""
        other = copy.copy(self)
        other.words = lambda face: change(self.worded(face))
        other.message = other.worded(PLAIN)
        other.args = (other.say(PLAIN),)
        return other


class InvalidValue(CxmapError):
    """A value given for an input is wrong input (exit 1; HTTP 422): a touchpoint, map or column that the
    data or the workspace does not have. Its code is the one such errors always had."""

    code = "invalid_input"


class NotFound(CxmapError):
    """What was asked about does not exist: an account, a customer, a map, a version (exit 1; HTTP 404)."""

    code = "not_found"


class Busy(CxmapError):
    """The store is held by another process (a load): nothing is wrong, try again when it ends (HTTP 503)."""

    code = "busy"
    retry_after = 5  # a load in another process takes a while


class BusyHere(Busy):
    """The store is open in this very process in another mode (a reader of the web app while it loads):
    worth waiting a moment for."""

    retry_after = 1


class MapInvalid(CxmapError):
    """A map file that cannot be used: every problem found, all at once."""

    code = "map_invalid"


class UsageError(CxmapError):
    """The command was called the wrong way (exit 2; HTTP 400)."""

    code = "usage"


class InternalError(CxmapError):
    """Something cxmap did not expect (a bug): still one line for the user, exit 1; --debug shows the traceback."""

    code = "internal"


class Throttled(CxmapError):
    """Too many tries in a short time (sign-in guesses): refused until `retry_after` seconds have passed
    (HTTP 429 with Retry-After)."""

    code = "too_many_requests"
    retry_after = 60


class Interrupted(CxmapError):
    """The user stopped the command (Ctrl+C, exit 130): said in the same shape as any other error."""

    code = "interrupted"


def unknown(field: str, value: object, allowed: Iterable[str], kind: type[CxmapError] = UsageError) -> CxmapError:
    """`unknown kind 'foo'; use one of: events, accounts, contacts`, about `field`: one wording for every
    value outside a known set (a usage error unless `kind` says otherwise)."""
    return kind(f"unknown {field} '{value}'; use one of: {', '.join(allowed)}", field=field)


@dataclass
class Report:
    """Problems collected while checking one input, in file order."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: int, col: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, col, message))

    def raise_if_any(self, what: str) -> None:
        if self.problems:
            self.problems.sort()
            count = len(self.problems)
            noun = "problem" if count == 1 else "problems"
            raise MapInvalid(f"{what} has {count} {noun}", self.problems)
