"""The map commands end to end, as a user runs them: exit codes, messages, files written or not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cxmap, write

BAD_MAP = """\
id: broken
title: Broken
touchpoints:
  - {id: kickoff-call, name: Kickoff call}
stages:
  - id: onboard
    title: Onboarding
    steps:
      - id: kickoff
        action: Joins the kickoff call
        touchpoints: [kickof-call]
        emotion: 12
"""


def test_check_examples_is_clean() -> None:
    result = run_cxmap("check", str(ROOT / "examples"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == 0
    assert sorted(m["id"] for m in report["maps"]) == [
        "b2b-onboarding",
        "car-service-visit",
        "library-membership",
    ]


def test_check_bad_map_exit_1_with_located_lines(tmp_path: Path) -> None:
    bad = write(tmp_path / "maps" / "broken.yaml", BAD_MAP)
    result = run_cxmap("check", str(bad))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{bad}:11:23: error: step 'kickoff' names touchpoint 'kickof-call', which is not defined; "
        "did you mean 'kickoff-call'?",
        f"{bad}:12:18: error: step 'kickoff': 'emotion' is 12; grades go from 0 (awful) to 10 (delighted)",
        "1 map checked: 2 errors, 0 warnings",
    ]


def test_check_json_lists_problems_and_keeps_exit_code(tmp_path: Path) -> None:
    bad = write(tmp_path / "broken.yaml", BAD_MAP)
    result = run_cxmap("check", str(bad), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["errors"] == 2
    first = report["maps"][0]["errors"][0]
    assert (first["line"], first["col"], first["severity"]) == (11, 23, "error")


def test_strict_turns_warnings_into_failure_and_settings_disable_rules(tmp_path: Path) -> None:
    text = BAD_MAP.replace("[kickof-call]", "[kickoff-call]").replace("emotion: 12", "emotion: 6")
    path = write(tmp_path / "maps" / "warned.yaml", text)
    relaxed = run_cxmap("check", str(path))
    assert relaxed.returncode == 0
    assert "warning CX003" in relaxed.stdout
    assert relaxed.stdout.splitlines()[-1] == "1 map checked: 0 errors, 4 warnings"
    assert run_cxmap("check", str(path), "--strict").returncode == 1
    write(tmp_path / "cxmap.yaml", "lint:\n  disable: [CX003, CX004, CX005, CX007]\n")
    quiet = run_cxmap("check", str(tmp_path), "--strict")
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert quiet.stdout.splitlines() == ["1 map checked: 0 errors, 0 warnings"]


def test_bad_settings_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "maps" / "a.yaml", BAD_MAP)
    write(tmp_path / "cxmap.yaml", "lint:\n  disabled: [CX003]\n")
    result = run_cxmap("check", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'cxmap.yaml'}:2:3: error: lint: unknown key 'disabled'; did you mean 'disable'?"
    ]


def test_duplicate_map_ids_in_a_folder(tmp_path: Path) -> None:
    write(
        tmp_path / "a.yaml",
        BAD_MAP.replace("kickof-call", "kickoff-call").replace("emotion: 12", "emotion: 5"),
    )
    write(
        tmp_path / "b.yaml",
        BAD_MAP.replace("kickof-call", "kickoff-call").replace("emotion: 12", "emotion: 5"),
    )
    result = run_cxmap("check", str(tmp_path), "--json")
    assert result.returncode == 1
    errors = [e["message"] for m in json.loads(result.stdout)["maps"] for e in m["errors"]]
    assert errors == [f"map id 'broken' is also used by {tmp_path / 'a.yaml'}; map ids must be unique"]


def test_missing_path_and_usage_errors(tmp_path: Path) -> None:
    missing = run_cxmap("check", str(tmp_path / "nope"))
    assert (missing.returncode, missing.stderr) == (
        1,
        f"error: {tmp_path / 'nope'}: no such file or folder\n",
    )
    usage = run_cxmap("check", "--no-such-option", str(tmp_path))
    assert usage.returncode == 2
    assert "No such option" in usage.stderr
    assert "Traceback" not in usage.stderr


def test_json_error_goes_to_stderr_and_stdout_stays_empty(tmp_path: Path) -> None:
    result = run_cxmap("diff", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--json")
    assert result.returncode == 1
    assert result.stdout == ""
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "map_invalid"
    assert error["details"][0]["message"] == "no such file"


def test_new_map_then_check_then_refuse_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "maps" / "Onboarding Journey.yaml"
    made = run_cxmap("new", "map", str(target), "--template", "b2b-saas")
    assert made.returncode == 0, made.stderr
    text = target.read_text()
    assert "id: onboarding-journey" in text
    assert text.count("#") > 20  # a commented starter, not a bare file
    assert run_cxmap("check", str(target), "--strict").returncode == 0
    again = run_cxmap("new", "map", str(target))
    assert (again.returncode, again.stderr) == (
        1,
        f"error: {target}: already exists; use --force to replace it\n",
    )
    unknown = run_cxmap("new", "map", str(tmp_path / "x.yaml"), "--template", "nope")
    # a value outside an option's set is wrong usage (exit 2, not 1), said as every such option says it
    assert unknown.returncode == 2
    assert unknown.stderr == "error: --template: unknown template 'nope'; use one of: b2b-saas, blank\n"
    assert not (tmp_path / "x.yaml").exists()


def test_diff_text_json_and_exit_code(tmp_path: Path) -> None:
    old = tmp_path / "v2.yaml"
    shutil.copy(EXAMPLES / "b2b-onboarding.yaml", old)
    old.write_text(
        old.read_text().replace("version: 3", "version: 2").replace("    owner: partner\n", "    owner: us\n")
    )
    new = EXAMPLES / "b2b-onboarding.yaml"
    text = run_cxmap("diff", str(old), str(new))
    assert text.returncode == 0
    assert text.stdout.splitlines() == [
        f"{old} -> {new}: 2 changes",
        "  ~ map 'b2b-onboarding' version: 2 -> 3",
        "  ~ touchpoint 'data-import' re-owned: us -> partner",
    ]
    as_json = json.loads(run_cxmap("diff", str(old), str(new), "--json").stdout)
    assert as_json["from"]["version"] == 2
    assert [c["kind"] for c in as_json["changes"]] == ["map-version-changed", "touchpoint-reowned"]
    assert run_cxmap("diff", str(old), str(new), "--exit-code").returncode == 1
    assert run_cxmap("diff", str(new), str(new), "--exit-code").returncode == 0


@pytest.mark.parametrize("ext", ["html", "svg", "png"])
def test_render_each_format(tmp_path: Path, ext: str) -> None:
    out = tmp_path / "out" / f"map.{ext}"
    result = run_cxmap("render", str(EXAMPLES / "b2b-onboarding.yaml"), "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info == {"path": str(out), "format": ext, "bytes": out.stat().st_size}
    head = out.read_bytes()[:16]
    assert head.startswith({"html": b"<!DOCTYPE html>", "svg": b"<svg", "png": b"\x89PNG\r\n\x1a\n"}[ext])


def test_render_refuses_unknown_format_and_writes_nothing_for_a_bad_map(tmp_path: Path) -> None:
    unknown = run_cxmap("render", str(EXAMPLES / "b2b-onboarding.yaml"), "-o", str(tmp_path / "m.pdf"))
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("error: cannot tell the format of")
    bad = write(tmp_path / "bad.yaml", BAD_MAP)
    out = tmp_path / "bad.html"
    result = run_cxmap("render", str(bad), "-o", str(out))
    assert result.returncode == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_schema_is_json_schema_for_maps() -> None:
    result = run_cxmap("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$id"] == "https://cxmap.dev/schema/map.json"
    assert schema["required"] == ["id", "title", "stages"]
    assert schema["additionalProperties"] is False
    step = schema["$defs"]["Step"]["properties"]
    assert set(step) >= {"id", "action", "touchpoints", "moment_of_truth", "emotion", "notes"}


def test_mermaid_export_and_import(tmp_path: Path) -> None:
    exported = run_cxmap("export", "mermaid", str(EXAMPLES / "b2b-onboarding.yaml"))
    assert exported.returncode == 0
    assert "journey" in exported.stdout.splitlines()
    mmd = write(tmp_path / "journey.mmd", exported.stdout)
    out = tmp_path / "maps" / "from-mermaid.yaml"
    imported = run_cxmap("import", "mermaid", str(mmd), "-o", str(out))
    assert imported.returncode == 0, imported.stderr
    assert run_cxmap("check", str(out)).returncode == 0
    bad = write(tmp_path / "bad.mmd", "graph TD\n  A --> B\n")
    refused = run_cxmap("import", "mermaid", str(bad), "-o", str(tmp_path / "x.yaml"))
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["new", "map"],
        ["check"],
        ["diff"],
        ["render"],
        ["schema"],
        ["export", "mermaid"],
        ["import", "mermaid"],
    ],
)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = run_cxmap(*command, "--help")
    assert result.returncode == 0
    assert "Example: cxmap " in result.stdout


def test_cli_reference_is_up_to_date() -> None:
    from cxmap.cli.docs import cli_markdown

    assert (ROOT / "docs" / "cli.md").read_text() == cli_markdown(), "run `make docs` to regenerate docs/cli.md"


def test_configuration_reference_is_up_to_date() -> None:
    from cxmap.cli.docs import config_markdown

    text = (ROOT / "docs" / "configuration.md").read_text()
    assert text == config_markdown(), "run `make docs` to regenerate docs/configuration.md"
    assert "| `lint.disable` | `[]` |" in text


def test_map_format_reference_is_up_to_date() -> None:
    from cxmap.cli.docs import format_markdown

    assert (ROOT / "docs" / "map-format.md").read_text() == format_markdown(), "run `make docs`"
