"""Input files: globs and folders expanded, the format told from the name."""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

from cxmap.errors import CxmapError

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


@dataclass(frozen=True)
class Source:
    path: Path
    fmt: str  # csv | tsv | parquet | jsonl

    @property
    def name(self) -> str:
        return str(self.path)


def format_of(path: Path) -> str | None:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return FORMATS.get(suffixes[-1]) if suffixes else None


def expand(args: list[str]) -> list[Source]:
    """Every file the arguments name: files as given, folders searched recursively, globs expanded."""
    found: list[Source] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and format_of(p) and not p.name.startswith("."))
            if not files:
                raise CxmapError(f"{arg}: no data files (.csv, .tsv, .parquet, .jsonl, also .gz) in this folder")
        elif path.is_file():
            files = [path]
        elif glob.has_magic(arg):
            files = sorted(Path(p) for p in glob.glob(arg, recursive=True) if Path(p).is_file())
            if not files:
                raise CxmapError(f"{arg}: no file matches this pattern")
        else:
            raise CxmapError(f"{arg}: no such file or folder")
        for file in files:
            fmt = format_of(file)
            if fmt is None:
                raise CxmapError(
                    f"{file}: cannot tell the format from the name; use .csv, .tsv, .parquet or .jsonl (.gz too)"
                )
            found.append(Source(file, fmt))
    unique = list(dict.fromkeys(found))
    return unique
