"""Generate docs/cli.md and docs/configuration.md from the code, so the references never drift.

Run `make docs` (`python -m cxmap.cli.docs cli|config`); a test fails when either file is stale.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from pydantic import BaseModel

from cxmap.cli.app import app
from cxmap.settings import Settings


# Typer ships its own copy of click, so commands are walked by their attributes, not by class. The root
# group builds its commands when asked (cli.app.LazyGroup), so they are listed and got, not read from a dict.
def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    ctx = typer.Context(group)
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        if command.hidden:
            continue
        full = f"{prefix} {name}"
        if hasattr(command, "commands"):
            found.extend(_commands(command, full))
        else:
            found.append((full, command))
    return found


def _arg_name(param: Any) -> str:
    return getattr(param, "metavar", None) or str(param.name).upper()


def _usage(name: str, command: Any) -> str:
    args = [p for p in command.params if getattr(p, "param_type_name", "") == "argument"]
    shown = [_arg_name(a) + ("..." if a.nargs == -1 else "") for a in args]
    return " ".join([name, "[OPTIONS]", *shown])


def _bounds(param: Any) -> str:
    """An option's range (Typer's min=/max=): a value outside it is wrong usage, so the reference says it."""
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is None and high is None:
        return ""
    if high is None:
        return f"; at least {low}"
    return f"; at most {high}" if low is None else f"; {low} to {high}"


def _param_line(param: Any) -> str:
    if getattr(param, "param_type_name", "") == "option":
        names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        bounds = _bounds(param)
        text = f"{(param.help or '').rstrip('.')}{bounds}." if bounds else param.help or ""
        return f"- {names}: {text}".rstrip()
    return f"- `{_arg_name(param)}`: {getattr(param, 'help', '') or ''}".rstrip()


def cli_markdown() -> str:
    """The whole CLI reference as Markdown."""
    root: Any = typer.main.get_command(app)
    lines = [
        "# Command line reference",
        "",
        "Generated from the code by `make docs`; do not edit by hand.",
        "",
        f"{root.help}",
        "",
        "Global options: `--version`, `--debug` (show a traceback for unexpected errors), `-h`/`--help`.",
        "",
        "## Exit codes and errors",
        "",
        "- 0: an answer, whatever it says (`gate` refusing and `verify` missing a target exit 0 too).",
        "- 1: wrong input: a file, map, id or value in the data that does not exist or does not parse; also",
        "  `check --strict`, `verify --fail-under` and `diff --exit-code` when they find what they look for.",
        "- 2: wrong usage: an unknown command or option, a missing argument or required option, an option",
        "  value outside its allowed set or range (`--kind foo`, `--worst -1`) or not of its type (a number, a",
        "  date).",
        "- 130: interrupted (Ctrl+C; said on stderr only under `--json`).",
        "",
        "With `--json`, results go to stdout as JSON. Every failure, the argument parser's own included, writes",
        'exactly one line to stderr, `{"error": {"code": ..., "message": ..., "details": [...]}}`, and nothing',
        "to stdout. `code` is `usage` (exit 2); `invalid_input` or `map_invalid` (exit 1); `not_found` for an",
        "account, customer or contact the workspace does not have, or no events to analyse (exit 1);",
        "`unmapped_score` or `unmapped_comment` when `ingest --strict` refuses a column (exit 1); `busy` while",
        "another process holds the store (exit 1: try again when it ends); `internal` for an unexpected error,",
        "which is a bug in cxmap (exit 1; rerun with `--debug` for its traceback), or `interrupted` (exit 130).",
        "`details` lists a map file's problems (`path`, `line`, `col`, `severity`, `rule`, `message`); it is",
        "empty otherwise. Without `--json` an error is one line on stderr,",
        "`error: ...` (one line per problem for a map file).",
        "",
    ]
    for name, command in _commands(root, "cxmap"):
        lines += [f"## `{name}`", "", "```", _usage(name, command), "```", ""]
        lines += [(command.help or "").strip(), ""]
        params = [p for p in command.params if p.name != "help"]
        if params:
            lines += [_param_line(p) for p in params] + [""]
        if command.epilog:
            lines += [command.epilog, ""]
    return "\n".join(lines).rstrip() + "\n"


def _settings_rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows: list[str] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        annotation: Any = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.extend(_settings_rows(annotation, f"{key}."))
            continue
        default = field.get_default(call_default_factory=True)
        rows.append(f"| `{key}` | `{default!r}` | {field.description or ''} |")
    return rows


def config_markdown() -> str:
    """Every cxmap.yaml key with its default, from the settings model."""
    lines = [
        "# Configuration: cxmap.yaml",
        "",
        "Generated from the settings model by `make docs`; do not edit by hand.",
        "",
        "A workspace is a folder with a `cxmap.yaml` and a `maps/` folder. `cxmap check` finds the",
        "settings by looking in the map's folder and each folder above it, as git finds a repository.",
        "Every key is optional; unknown keys are errors (so a typo never passes silently).",
        "",
        "| key | default | meaning |",
        "|---|---|---|",
        *_settings_rows(Settings, ""),
    ]
    return "\n".join(lines) + "\n"


def format_markdown() -> str:
    """Every key of a map file, part by part, from the map model's field descriptions."""
    from cxmap.model.schema import MapFile

    lines = [
        "# The map file",
        "",
        "Generated from the map model by `make docs`; do not edit by hand. `cxmap schema` prints the same",
        "as JSON Schema. Unknown keys are errors. Ids use lower-case letters, digits and '-'.",
        "A step's `emotion` is one grade (the grade during the step) or `{before, during, after}`;",
        "anything that needs one number uses `during`.",
        "",
    ]
    seen: set[str] = set()
    todo: list[type[BaseModel]] = [MapFile]
    while todo:
        model = todo.pop(0)
        if model.__name__ in seen:
            continue
        seen.add(model.__name__)
        title = "The map (top level)" if model is MapFile else model.__name__
        lines += [f"## {title}", "", "| key | required | default | meaning |", "|---|---|---|---|"]
        for name, field in model.model_fields.items():
            required = "yes" if field.is_required() else ""
            default = "" if field.is_required() else f"`{field.get_default(call_default_factory=True)!r}`"
            lines.append(f"| `{name}` | {required} | {default} | {field.description or ''} |")
            for arg in (field.annotation, *getattr(field.annotation, "__args__", ())):
                inner = getattr(arg, "__args__", (arg,))
                todo += [a for a in (arg, *inner) if isinstance(a, type) and issubclass(a, BaseModel)]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


DOCS = {"cli": cli_markdown, "config": config_markdown, "format": format_markdown}

if __name__ == "__main__":
    print(DOCS[sys.argv[1] if len(sys.argv) > 1 else "cli"](), end="")
