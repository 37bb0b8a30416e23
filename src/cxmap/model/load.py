"""Load a map file: read the YAML, validate its shape, check its references, return a :class:`Map`."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from cxmap.errors import Report
from cxmap.model.map import Map
from cxmap.model.raw import RawDoc, parse_yaml, read_yaml
from cxmap.model.resolve import check_references
from cxmap.model.validate import problems_from


def resolve(doc: RawDoc) -> Map:
    """Validate a parsed document; every shape and reference problem is raised at once."""
    report = Report(doc.path)
    report.problems.extend(check_references(doc))
    try:
        result = Map.model_validate(doc.data)
    except ValidationError as exc:
        report.problems.extend(problems_from(exc, doc))
    report.raise_if_any(doc.path)
    result._source = doc.path
    return result


def load_map(path: str | Path) -> Map:
    """Load and validate the journey map in a YAML file.

    Raises :class:`cxmap.errors.MapInvalid` listing every problem, each with file, line and column.
    """
    return resolve(read_yaml(Path(path)))


def loads_map(text: str, path: str = "<string>") -> Map:
    """Load a map from YAML text (the web editor validates before it saves)."""
    return resolve(parse_yaml(text, path))
