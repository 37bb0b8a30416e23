"""Maps: list, find, save a version, history. Their one home is `cxmap.workspace.maps` (the files of
maps/) and `cxmap.workspace.versions` (the rules of versions); every face asks here."""

from cxmap.workspace.maps import all_maps, find_map, map_by_id, map_files, map_summaries, the_one_with
from cxmap.workspace.versions import (
    MAX_TITLE,
    STATUSES,
    SaveConflict,
    Version,
    add_idea,
    digest,
    move_idea,
    normalise,
    read_text,
    save_map,
    saved_by,
    version_file,
    versions,
)

__all__ = [
    "MAX_TITLE",
    "STATUSES",
    "SaveConflict",
    "Version",
    "add_idea",
    "all_maps",
    "digest",
    "find_map",
    "map_by_id",
    "map_files",
    "map_summaries",
    "move_idea",
    "normalise",
    "read_text",
    "save_map",
    "saved_by",
    "the_one_with",
    "version_file",
    "versions",
]
