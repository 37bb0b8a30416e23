"""The resolved journey map: the file's content with every reference checked, plus lookups."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from pydantic import PrivateAttr

from cxmap.model.schema import MapFile, Stage, Step, Touchpoint


@dataclass(frozen=True)
class PlacedStep:
    """A step with its place on the journey: stage, position overall and within the stage."""

    step: Step
    stage: Stage
    index: int


class Map(MapFile):
    """A valid journey map. Build one with :func:`cxmap.load_map`."""

    _source: str | None = PrivateAttr(default=None)

    @property
    def source(self) -> str | None:
        """The file the map was loaded from, if any."""
        return self._source

    @cached_property
    def placed_steps(self) -> list[PlacedStep]:
        """Every step in journey order, with its stage."""
        placed: list[PlacedStep] = []
        for stage in self.stages:
            for step in stage.steps:
                placed.append(PlacedStep(step, stage, len(placed)))
        return placed

    @property
    def steps(self) -> list[Step]:
        return [p.step for p in self.placed_steps]

    @cached_property
    def touchpoints_by_id(self) -> dict[str, Touchpoint]:
        return {t.id: t for t in self.touchpoints}

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        return self.touchpoints_by_id[touchpoint_id]

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)

    def moments_of_truth(self) -> list[str]:
        """Touchpoint ids used by steps flagged as moments of truth (or hot spots), in journey order."""
        seen: dict[str, None] = {}
        for step in self.steps:
            if step.moment_of_truth or step.hot_spot:
                seen.update(dict.fromkeys(step.touchpoints))
        return list(seen)
