"""Commands on map files: new, check, diff, render, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import typer

from cxmap.check import check_paths
from cxmap.cli.output import JSON_OPTION, echo, emit_json, one_of, pluralise, reporting
from cxmap.diff import diff_maps
from cxmap.errors import UsageError
from cxmap.files import write_atomic
from cxmap.model import load_map
from cxmap.model.schema import MapFile
from cxmap.starter import templates, write_starter

Format = Literal["html", "svg", "png"]
FORMATS: tuple[Format, ...] = ("html", "svg", "png")

new_app = typer.Typer(help="Create new files from templates.", no_args_is_help=True)


@new_app.command("map", epilog="Example: cxmap new map maps/onboarding.yaml --template b2b-saas")
def new_map(
    path: Path = typer.Argument(..., help="The map file to create (its name becomes the map id)."),
    template: str = typer.Option("b2b-saas", "--template", "-t", help="Starter template: b2b-saas or blank."),
    force: bool = typer.Option(False, "--force", help="Replace the file if it exists."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write a commented starter map to edit."""
    with reporting(as_json):
        one_of("--template", template, templates())
        map_id = write_starter(path, template, force=force)
    if as_json:
        emit_json({"path": str(path), "id": map_id, "template": template})
    else:
        echo(f"wrote {path} (map id '{map_id}', template {template}); next: cxmap check {path}")


def check(
    paths: list[Path] = typer.Argument(..., help="Map files, folders of maps, or a workspace folder."),
    strict: bool = typer.Option(False, "--strict", help="Treat lint warnings as errors (for CI)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Validate maps and lint them against the journey-mapping method.

    Errors (exit 1) are problems that make a map unusable; warnings (exit 0 unless --strict) are places
    where a valid map breaks the method, each with its rule code (CX001...), which cxmap.yaml can disable
    under lint.disable.
    """
    with reporting(as_json):
        result = check_paths(paths, strict=strict)
    if as_json:
        emit_json(result.to_json())
    else:
        for m in result.maps:
            for problem in [*m.errors, *m.warnings]:
                echo(str(problem), err=bool(m.errors))
        summary = (
            f"{pluralise(len(result.maps), 'map')} checked: {pluralise(result.errors, 'error')}, "
            f"{pluralise(result.warnings, 'warning')}"
        )
        echo(summary, err=not result.ok)
    if not result.ok:
        raise typer.Exit(1)


def diff(
    old: Path = typer.Argument(..., help="The earlier version of the map."),
    new: Path = typer.Argument(..., help="The later version of the map."),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 when the maps differ (as git diff)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show what changed between two versions of a map: steps, grades, owners, ideas, ..."""
    with reporting(as_json):
        before, after = load_map(old), load_map(new)
    changes = diff_maps(before, after)
    if as_json:
        emit_json(
            {
                "from": {"path": str(old), "id": before.id, "version": before.version},
                "to": {"path": str(new), "id": after.id, "version": after.version},
                "changes": [c.to_json() for c in changes],
            }
        )
    else:
        echo(f"{old} -> {new}: {pluralise(len(changes), 'change')}")
        for c in changes:
            echo(f"  {c.sign} {c.message}")
    if exit_code and changes:
        raise typer.Exit(1)


def render(
    map_path: Path = typer.Argument(..., metavar="MAP", help="The map file to render."),
    output: Path = typer.Option(..., "--output", "-o", help="Output file: .html, .svg or .png."),
    fmt: str | None = typer.Option(None, "--format", "-f", help="html, svg or png (default: from -o)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Render a map as one self-contained HTML file, an SVG or a PNG."""
    from cxmap.render import render as render_map  # rendering pulls in jinja2 and resvg only when needed

    with reporting(as_json):
        chosen = (fmt or output.suffix.lstrip(".")).lower()
        if chosen not in FORMATS:
            raise UsageError(f"cannot tell the format of '{output}'; use a .html, .svg or .png name or --format")
        data = render_map(load_map(map_path), chosen)
        write_atomic(output, data)
    if as_json:
        emit_json({"path": str(output), "format": chosen, "bytes": len(data)})
    else:
        echo(f"wrote {output} ({chosen}, {len(data):,} bytes)")


def schema(
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Print the JSON Schema of map files, for editors (YAML language servers) and CI."""
    text = json.dumps(MapFile.model_json_schema(), indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    with reporting():
        write_atomic(output, text.encode("utf-8"))
    echo(f"wrote {output}")


EXAMPLES = {
    "check": "Example: cxmap check maps/ --strict",
    "diff": "Example: cxmap diff maps/v2.yaml maps/onboarding.yaml",
    "render": "Example: cxmap render maps/onboarding.yaml -o onboarding.html",
    "schema": "Example: cxmap schema > cxmap-map.schema.json",
}
