"""Every failure of the command line, under --json, is one JSON line on stderr with the right exit code.

Exit 1 is wrong input (a file, map, id or value that does not exist or does not parse), exit 2 wrong usage
(an unknown command or option, a missing argument or required option, a value outside an option's set or
range). The argument parser's own errors and unexpected exceptions take the same shape: nothing on stdout.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cxmap.cli.app import COMMANDS, GROUPS
from tests.conftest import EXAMPLES, run_cxmap, write

CONTACTS = "customer_id,account_id,added_at,role\nC1,ACME,2026-01-01,champion\nC2,ACME,2026-01-05,admin\n"
EVENTS = (
    "customer_id,account_id,timestamp,touchpoint,score\n"
    "C1,ACME,2026-03-01T09:00:00,Kickoff call,8\n"
    "C2,ACME,2026-03-02T09:00:00,Support ticket,2\n"
)
MAP_ID = "b2b-onboarding"

# (arguments, exit code, error code); {ws} is a workspace with events, {root} the folder around it, {map} a
# valid map file, {csv} an events file. Each runs with --json added. "known bug" marks the invocations that
# printed Rich text or a traceback's last line, or exited 1 for wrong usage, before errors were unified.
CASES: list[tuple[tuple[str, ...], int, str]] = [
    (("frobnicate",), 2, "usage"),
    (("check", "{root}/nope.yaml"), 1, "invalid_input"),
    (("check", "--strictly", "{map}"), 2, "usage"),
    (("render", "{map}", "-f", "gif"), 2, "usage"),  # known bug: missing --output, Rich text
    (("render", "{map}", "-o", "{root}/out.gif"), 2, "usage"),
    (("render", "{root}/broken.yaml", "-o", "{root}/broken.html"), 1, "map_invalid"),
    (("export", "mermaid", "{root}/nope.yaml"), 1, "map_invalid"),
    (("export", "plantuml", "{map}"), 2, "usage"),
    (("import", "mermaid", "{root}/nope.mmd", "-o", "{root}/imported.yaml"), 1, "invalid_input"),
    (("import", "mermaid", "{root}/nope.mmd"), 2, "usage"),
    (("new", "map", "{root}/new.yaml", "--template", "nope"), 2, "usage"),  # known bug: exit 1
    (("new", "map", "{root}/new.txt"), 1, "invalid_input"),
    (("diff", "{map}"), 2, "usage"),
    (("diff", "{map}", "{root}/nope.yaml"), 1, "map_invalid"),
    (("schema",), 2, "usage"),  # schema has no --json: an unknown option
    (("init", "{ws}"), 1, "invalid_input"),
    (("init", "{root}/other", "--engine", "oracle"), 2, "usage"),
    (("ingest", "{ws}", "{csv}", "--bogus"), 2, "usage"),  # known bug: Rich text
    (("ingest", "{ws}", "{root}/nope.csv"), 1, "invalid_input"),
    (("ingest", "{ws}", "{csv}", "--kind", "foo"), 2, "usage"),  # known bug: exit 1
    (("ingest", "{ws}", "{csv}", "--scale", "1-3"), 2, "usage"),
    (("status", "{root}/nope"), 1, "invalid_input"),
    (("quarantine", "{ws}", "--limit", "-1"), 2, "usage"),  # was an internal error (negative LIMIT)
    (("analyze", "{ws}", "--map", "nope", "-q"), 1, "invalid_input"),
    (("analyze", "{ws}", "--period", "fortnight", "-q"), 2, "usage"),
    (("analyze", "{ws}", "--top", "0"), 2, "usage"),
    (("report", "{ws}"), 2, "usage"),
    (("journeys", "{ws}", "--top", "-1"), 2, "usage"),
    (("journeys", "{ws}", "--since", "yesterday"), 2, "usage"),
    (("accounts", "{ws}", "--worst", "-1"), 2, "usage"),  # known bug: "internal error: BinderException"
    (("accounts", "{ws}", "--worst", "many"), 2, "usage"),
    (("accounts", "{ws}", "--policy", "foo"), 2, "usage"),
    (("account", "{ws}", "NOPE"), 1, "not_found"),
    (("customer", "{ws}", "NOPE"), 1, "not_found"),
    (("gate", "{ws}", "C1", "--action", "hug"), 2, "usage"),
    (("gate", "{ws}", "NOPE"), 1, "not_found"),
    (("alerts", "{ws}", "--as-of", "2026-02-30"), 2, "usage"),
    (("milestones", "{ws}"), 2, "usage"),  # known bug: missing --map, Rich text
    (("milestones", "{ws}", "--map", "nope"), 1, "invalid_input"),
    (("milestones", "{ws}", "--map", MAP_ID, "--status", "weird"), 2, "usage"),
    (("verify", "{ws}"), 2, "usage"),
    (("user", "add", "{ws}", "bob", "--role", "god"), 2, "usage"),
    (("user", "add", "{root}/nope", "bob", "--role", "viewer"), 1, "invalid_input"),
    (("token", "create", "{ws}", "ci"), 2, "usage"),
    (("serve", "{ws}", "--port", "70000"), 2, "usage"),
    (("store", "export", "{ws}", "{root}"), 1, "invalid_input"),
    (("store", "optimize", "{root}/nope"), 1, "invalid_input"),
    (("store", "vacuum", "{ws}"), 2, "usage"),
]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a small workspace (accounts' contacts, two events, the example map), a valid map file,
    a broken one and an events file; no case may change any of them."""
    root = tmp_path_factory.mktemp("errors")
    ws = root / "ws"
    assert run_cxmap("init", str(ws)).returncode == 0
    for kind, text in (("contacts", CONTACTS), ("events", EVENTS)):
        loaded = run_cxmap("ingest", str(ws), str(write(root / f"{kind}.csv", text)), "--kind", kind, "--quiet")
        assert loaded.returncode == 0, loaded.stderr
    shutil.copy(EXAMPLES / f"{MAP_ID}.yaml", ws / "maps" / f"{MAP_ID}.yaml")
    write(root / "broken.yaml", "id: broken\ntitle: [unclosed\n")
    return root


def _args(args: tuple[str, ...], root: Path) -> list[str]:
    places = {"ws": root / "ws", "root": root, "map": root / "ws" / "maps" / f"{MAP_ID}.yaml"}
    return [a.format(csv=root / "events.csv", **places) for a in args]


@pytest.mark.parametrize(("args", "exit_code", "code"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_every_failure_is_one_json_error_line(root: Path, args: tuple[str, ...], exit_code: int, code: str) -> None:
    result = run_cxmap(*_args(args, root), "--json")
    assert result.returncode == exit_code, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.endswith("\n")
    error = json.loads(result.stderr)["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], list)


def test_the_cases_cover_every_command() -> None:
    assert set(COMMANDS) | set(GROUPS) <= {args[0] for args, _, _ in CASES}


def test_a_usage_error_without_json_is_one_plain_line(root: Path) -> None:
    result = run_cxmap("ingest", str(root / "ws"), str(root / "events.csv"), "--bogus")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("error: No such option: --bogus")
    assert result.stderr.endswith(" ingest --help\n")  # the program name is `python -m cxmap` here
    assert result.stderr.count("\n") == 1  # no Rich panel, no usage block, no traceback
    out_of_range = run_cxmap("accounts", str(root / "ws"), "--worst", "-1")
    assert out_of_range.returncode == 2
    assert out_of_range.stderr.startswith("error: Invalid value for '--worst'")


def test_a_value_outside_an_options_set_is_wrong_usage(root: Path) -> None:
    kind = run_cxmap("ingest", str(root / "ws"), str(root / "events.csv"), "--kind", "foo")
    assert (kind.returncode, kind.stderr) == (
        2,
        "error: --kind: unknown kind 'foo'; use one of: events, accounts, contacts\n",
    )


def _crash(args: list[str], raised: str = "ZeroDivisionError('division by zero')") -> subprocess.CompletedProcess[str]:
    """Run the real entry point with `status` raising what cxmap does not expect (a bug, or Ctrl+C)."""
    script = (
        "import sys\n"
        "import cxmap.workspace.status as status\n"
        "def broken(*args, **kwargs):\n"
        f"    raise {raised}\n"
        "status.status = broken\n"
        "from cxmap.cli.app import main\n"
        f"sys.argv = ['cxmap', *{args!r}]\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)


def test_an_unexpected_error_is_internal_and_never_a_traceback(root: Path) -> None:
    ws = str(root / "ws")
    result = _crash(["status", ws, "--json"])
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.count("\n") == 1
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "internal"
    assert error["message"].startswith("unexpected ZeroDivisionError: division by zero")
    assert error["details"] == []
    text = _crash(["status", ws])
    assert text.returncode == 1
    assert text.stderr.startswith("error: unexpected ZeroDivisionError: division by zero")
    assert "Traceback" not in text.stderr
    debug = _crash(["--debug", "status", ws])
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr


def test_ctrl_c_exits_130_and_says_so_only_under_json(root: Path) -> None:
    ws = str(root / "ws")
    result = _crash(["status", ws, "--json"], "KeyboardInterrupt")
    assert (result.returncode, result.stdout) == (130, "")
    assert json.loads(result.stderr)["error"]["code"] == "interrupted"
    quiet = _crash(["status", ws], "KeyboardInterrupt")
    assert (quiet.returncode, quiet.stderr) == (130, "")
