"""Typed errors: the core names the field, never the flag; each face words it in its own terms.

Every module of src/cxmap outside cli/ is read with `ast`: no error it raises or builds (the raised
expression, and the arguments of any error's constructor wherever it is called) and no warning that
workspace/unmapped.py builds may hold a command-line flag in its text. A message that speaks of an input
takes it from the face (`Face.field`, `switch`, `setting`, `column`); the CLI says `--kind`, the API `kind`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import cxmap
from cxmap.cli.output import CLI
from cxmap.errors import PLAIN, CxmapError, InvalidValue, NotFound, UsageError, unknown
from cxmap.web.words import WEB
from cxmap.workspace.unmapped import refuse, unmapped

SRC = Path(cxmap.__file__).resolve().parent
FLAG = re.compile(r"--[a-z]")
WARNINGS = ("workspace/unmapped.py",)  # modules whose warnings are built, not raised: every string is checked


def error_names(trees: dict[Path, ast.Module]) -> set[str]:
    """Names that build an error: CxmapError, every class derived from it in src/cxmap, and `unknown`."""
    names = {"CxmapError", "unknown"}
    while True:
        more = {
            node.name
            for tree in trees.values()
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any(isinstance(b, ast.Name | ast.Attribute) and _name(b) in names for b in node.bases)
        }
        if more <= names:
            return names
        names |= more


def _name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def texts(node: ast.AST) -> Iterator[ast.Constant]:
    """The string constants under `node`: plain strings and the literal parts of f-strings."""
    for found in ast.walk(node):
        if isinstance(found, ast.Constant) and isinstance(found.value, str):
            yield found


def docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring constants of a module, its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def flags(trees: dict[Path, ast.Module], warnings: tuple[str, ...] = WARNINGS) -> list[str]:
    """`file:line: text` for every string with a flag in an error raised or built, or a warning built."""
    errors = error_names(trees)
    found: dict[tuple[str, int], str] = {}
    for path, tree in trees.items():
        where = path.relative_to(SRC).as_posix() if path.is_relative_to(SRC) else path.as_posix()
        suspects: list[ast.AST] = [n.exc for n in ast.walk(tree) if isinstance(n, ast.Raise) and n.exc is not None]
        suspects += [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _name(n.func) in errors]
        if where in warnings:
            skip = docstrings(tree)
            suspects += [c for c in texts(tree) if id(c) not in skip]
        for suspect in suspects:
            for text in texts(suspect):
                if FLAG.search(text.value):
                    found[(where, text.lineno)] = text.value
    return [f"{where}:{line}: {text!r}" for (where, line), text in sorted(found.items())]


def core_trees() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(SRC.rglob("*.py"))
        if "cli" not in path.relative_to(SRC).parts[:1]
    }


def test_no_error_or_warning_of_the_core_names_a_flag() -> None:
    trees = core_trees()
    assert len(trees) > 80
    assert SRC / "errors.py" in trees
    assert SRC / "cli" / "output.py" not in trees
    offending = flags(trees)
    assert not offending, "the core names a flag (name the field, and let each face word it):\n" + "\n".join(offending)


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ('raise UsageError(f"--kind: unknown kind {kind!r}")', 1),
        ('error = CxmapError("x")\nerror = Refusal(\n    "already exists; use --force"\n)', 3),  # built, not raised
        ("raise make(lambda face: f'{x}; --strict: nothing was loaded')", 1),
        ('HINT = ", or pass --strict to refuse such loads"', 1),  # a warning's text in unmapped.py
    ],
)
def test_the_check_finds_a_flag_and_names_its_line(tmp_path: Path, source: str, line: int) -> None:
    path = tmp_path / "workspace" / "unmapped.py"
    path.parent.mkdir()
    path.write_text(source + "\n", encoding="utf-8")
    trees = {path: ast.parse(source), SRC / "errors.py": ast.parse("class Refusal(CxmapError): ...")}
    [found] = flags(trees, warnings=(path.as_posix(),))
    assert found.startswith(f"{path.as_posix()}:{line}: ")


def test_the_check_leaves_docstrings_and_other_calls_alone() -> None:
    warned = '"""`--strict` in a module docstring."""\ndef f() -> None:\n    """`--scale` in a function\'s."""\n'
    assert flags({SRC / "workspace" / "unmapped.py": ast.parse(warned)}) == []
    other = 'parser.add_argument("--seed")\nraise CxmapError(f"{path}: cannot be read")\n'
    assert flags({SRC / "synthetic.py": ast.parse(other)}) == []


def test_each_face_words_the_field_in_its_own_terms() -> None:
    error = unknown("outcome_negative", "x", ["a", "b"], InvalidValue)
    assert (error.code, error.field, error.message) == (
        "invalid_input",
        "outcome_negative",
        "unknown outcome_negative 'x'; use one of: a, b",
    )
    assert error.say(CLI) == "--outcome-negative: unknown outcome_negative 'x'; use one of: a, b"
    assert error.say(WEB) == "outcome_negative: unknown outcome_negative 'x'; use one of: a, b"
    assert str(error) == error.say(PLAIN) == error.say(WEB)
    assert error.to_json(CLI)["error"] == {
        "code": "invalid_input",
        "message": "--outcome-negative: unknown outcome_negative 'x'; use one of: a, b",
        "details": [],
    }
    assert isinstance(unknown("kind", "foo", ["events"]), UsageError)
    needs = UsageError(lambda face: f"milestones needs a map: add {face.setting('map', 'MAP_ID')}")
    assert (needs.say(CLI), needs.say(WEB)) == (
        "milestones needs a map: add --map MAP_ID",
        "milestones needs a map: add map=MAP_ID",
    )


def test_an_unmapped_column_is_advised_in_each_faces_terms() -> None:
    csat, notes = unmapped("unmapped_score", "CSAT (1-5)"), unmapped("unmapped_comment", "Agent $notes")
    assert (csat.role, csat.scale, notes.role, notes.scale) == ("score", "1-5", "comment", None)
    assert csat.say(CLI) == (
        "column 'CSAT (1-5)' looks like a score but was kept as an attribute; map it with "
        '--columns score="CSAT (1-5)" (and --scale 1-5), or pass --strict to refuse such loads'
    )
    assert csat.say(WEB) == (
        "column 'CSAT (1-5)' looks like a score but was kept as an attribute; send it as score "
        "(and scale=1-5), or pass strict=true to refuse such loads"
    )
    assert "map it with --columns comment='Agent $notes', or pass" in notes.say(CLI)
    refusal = refuse([csat, notes])
    assert (refusal.code, refusal.say(WEB)) == (
        "unmapped_score",
        "column 'CSAT (1-5)' looks like a score but was kept as an attribute; send it as score (and scale=1-5); "
        "strict=true: nothing was loaded (also 1 more column: 'Agent $notes')",
    )


def test_a_reworded_error_keeps_its_type_code_and_field() -> None:
    error = NotFound("no account '/tmp/x.jsonl' here", field="account_id").reworded(lambda m: m.replace("/tmp/", ""))
    assert (type(error), error.code, error.field, error.say(CLI)) == (
        NotFound,
        "not_found",
        "account_id",
        "--account-id: no account 'x.jsonl' here",
    )
    assert isinstance(error, CxmapError)
    assert str(error) == "account_id: no account 'x.jsonl' here"
