"""`cxmap export` and `cxmap import`: maps to and from other tools' formats."""

from __future__ import annotations

from pathlib import Path

import typer

from cxmap.cli.output import JSON_OPTION, echo, emit_json, reporting
from cxmap.errors import CxmapError
from cxmap.files import write_atomic
from cxmap.interchange.mermaid import import_mermaid, to_mermaid
from cxmap.model import load_map
from cxmap.model.dump import map_to_yaml

export_app = typer.Typer(help="Export a map to another format.", no_args_is_help=True)
import_app = typer.Typer(help="Import a map from another format.", no_args_is_help=True)


@export_app.command("mermaid", epilog="Example: cxmap export mermaid maps/onboarding.yaml > journey.mmd")
def export_mermaid(
    map_path: Path = typer.Argument(..., metavar="MAP", help="The map file to export."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file, not stdout."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Export a map as a Mermaid `journey` diagram (scores 1-5: 1 + round(grade * 4 / 10))."""
    with reporting(as_json):
        text = to_mermaid(load_map(map_path))
        if output is not None:
            write_atomic(output, text.encode("utf-8"))
    if as_json:
        emit_json({"format": "mermaid", "path": str(output) if output else None, "text": text})
    elif output is None:
        typer.echo(text, nl=False)
    else:
        echo(f"wrote {output}")


@import_app.command("mermaid", epilog="Example: cxmap import mermaid journey.mmd -o maps/from-mermaid.yaml")
def import_mermaid_cmd(
    source: Path = typer.Argument(..., help="A Mermaid file holding a `journey` diagram."),
    output: Path = typer.Option(..., "--output", "-o", help="The map file to write."),
    map_id: str | None = typer.Option(None, "--id", help="Map id (default: from the title)."),
    force: bool = typer.Option(False, "--force", help="Replace the output file if it exists."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import a Mermaid `journey` diagram as a new map; says what Mermaid could not hold."""
    with reporting(as_json):
        if output.exists() and not force:
            raise CxmapError(f"{output}: already exists; use --force to replace it")
        try:
            text = source.read_text("utf-8-sig")
        except FileNotFoundError:
            raise CxmapError(f"{source}: no such file") from None
        except (UnicodeDecodeError, OSError) as exc:
            raise CxmapError(f"{source}: cannot be read as UTF-8 text ({exc.__class__.__name__})") from None
        imported, notes = import_mermaid(text, source=str(source), map_id=map_id)
        write_atomic(output, map_to_yaml(imported).encode("utf-8"))
    if as_json:
        emit_json({"path": str(output), "id": imported.id, "steps": len(imported.steps), "notes": notes})
        return
    echo(f"wrote {output} (map id '{imported.id}', {len(imported.steps)} steps)")
    for note in notes:
        echo(f"note: {note}", err=True)
