"""Errors users see: each says what is wrong, where, and why; many are collected into one report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

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


class CxmapError(Exception):
    """Root of every error cxmap raises on purpose; the CLI prints it as one line per problem, exit 1."""

    code = "invalid_input"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = problems or []

    def lines(self) -> list[str]:
        """What the user reads: one line per problem, or the message alone."""
        return [str(p) for p in self.problems] or [self.message]

    def to_json(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "details": [p.to_json() for p in self.problems],
            }
        }


class MapInvalid(CxmapError):
    """A map file that cannot be used: every problem found, all at once."""

    code = "map_invalid"


class UsageError(CxmapError):
    """The command was called the wrong way (exit 2)."""

    code = "usage"


class InternalError(CxmapError):
    """Something cxmap did not expect (a bug): still one line for the user, exit 1; --debug shows the traceback."""

    code = "internal"


class Interrupted(CxmapError):
    """The user stopped the command (Ctrl+C, exit 130): said in the same shape as any other error."""

    code = "interrupted"


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
