"""The map file as written: a YAML tree that remembers the line and column of every key and value."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from cxmap.errors import MapInvalid, Problem

Loc = tuple[str | int, ...]
MAX_MAP_BYTES = 5_000_000  # a journey map is a few kB; anything this large is not one
MAX_DEPTH = 40  # levels of lists and mappings; a map uses about six


def yaml_round_trip() -> YAML:
    """The YAML reader/writer that keeps comments and positions."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


@dataclass
class RawDoc:
    """A parsed YAML document and where it came from."""

    path: str
    data: Any

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `loc`, or of its key; the nearest known parent if absent."""
        node = self.data
        best = (1, 1)
        for i, part in enumerate(loc):
            last = i == len(loc) - 1
            if isinstance(node, CommentedMap) and part in node:
                line, col = node.lc.key(part) if (key and last) else node.lc.value(part)
                best = (line + 1, col + 1)
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                line, col = node.lc.item(part)
                best = (line + 1, col + 1)
                node = node[part]
            else:
                break
        return best

    def node(self, loc: Loc) -> Any:
        """The value at `loc`, or None where the path does not exist."""
        node = self.data
        for part in loc:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node


def parse_yaml(text: str, path: str) -> RawDoc:
    """Parse YAML text; syntax errors and duplicate keys become one located problem."""
    try:
        data = yaml_round_trip().load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        key = str(exc.problem).split('"')[1] if '"' in str(exc.problem) else "a key"
        raise _single(path, line, col, f"key '{key}' appears twice in the same block") from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        reason = (exc.problem or exc.context or "not valid YAML").strip()
        raise _single(path, line, col, f"not valid YAML: {reason}") from None
    except YAMLError as exc:
        raise _single(path, 0, 0, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise _single(path, 0, 0, f"nested more than {MAX_DEPTH} levels deep; a map needs only a few") from None
    if data is None:
        raise _single(path, 1, 1, "the file is empty; a map needs at least id, title and stages")
    if not isinstance(data, CommentedMap):
        raise _single(path, 1, 1, "a map file must be a YAML mapping (key: value lines) at the top level")
    _check_expanded(data, path)
    return RawDoc(path, data)


def _check_expanded(data: Any, path: str) -> None:
    """The tree as every reader sees it, YAML aliases repeated: at most MAX_DEPTH levels deep (what reads it
    afterwards recurses into it) and at most MAX_MAP_BYTES of text (200 aliases of a 50 kB string in a 64 kB
    file would make every page of the map 10 MB). Looked at level by level, without recursion, and left as
    soon as a bound is passed."""
    level, size = [data], 0
    for _ in range(MAX_DEPTH + 1):
        children = [v for node in level for v in (node.items() if isinstance(node, dict) else enumerate(node))]
        size += sum(len(str(k)) + (0 if isinstance(v, dict | list) else len(str(v))) for k, v in children)
        if size > MAX_MAP_BYTES:
            raise _single(
                path, 0, 0, f"holds more than {MAX_MAP_BYTES:,} characters once its aliases (*name) are repeated"
            )
        level = [v for _, v in children if isinstance(v, dict | list)]
        if not level:
            return
    raise _single(path, 0, 0, f"nested more than {MAX_DEPTH} levels deep; a map needs only a few")


def read_yaml(path: Path) -> RawDoc:
    """Read and parse a YAML file, turning every way it can fail into a one-line problem."""
    where = str(path)
    if path.is_dir():
        raise _single(where, 0, 0, "is a folder, not a map file")
    try:
        size = path.stat().st_size
        if size > MAX_MAP_BYTES:
            raise _single(where, 0, 0, f"is {size:,} bytes; a map file may be at most {MAX_MAP_BYTES:,}")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise _single(where, 0, 0, "no such file") from None
    except UnicodeDecodeError as exc:
        raise _single(where, 0, 0, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise _single(where, 0, 0, f"cannot be read: {exc.strerror}") from None
    return parse_yaml(text, where)


def _single(path: str, line: int, col: int, message: str) -> MapInvalid:
    return MapInvalid(message, [Problem(path, line, col, message)])
