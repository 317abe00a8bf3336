"""What the pilot's evaluation concluded, as the later stage tells it: the bonus rule (试点工作富有成效) and 容错免责
(a pilot that failed) read it here.

The evaluation is graded downstream (the reviews app), which registers its reader from its ``ready()``
(``register_outcome_reader``), so the arrow keeps pointing from the later stage to the earlier one."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """A completed evaluation of a pilot: its grade (key and name), whether it reached the grade that earns bonus
    points (``BONUS_MIN_GRADE``) and whether it failed (不合格)."""

    grade: str
    label: str
    worked: bool
    failed: bool
    minimum_label: str = ""


_readers = {}


def register_outcome_reader(reader, minimum):
    """``reader(pilot) -> Outcome | None`` (None while the pilot has no completed evaluation) and ``minimum()``, the
    name of the grade that earns bonus points; set once."""
    _readers["evaluation"], _readers["minimum"] = reader, minimum


def minimum_grade_label():
    """The name of the grade a pilot must reach to earn bonus points (``BONUS_MIN_GRADE``), e.g. 合格."""
    minimum = _readers.get("minimum")
    return minimum() if minimum is not None else ""


def evaluation_outcome(pilot):
    """The pilot's completed evaluation, or None (not evaluated yet, or no evaluating app installed)."""
    reader = _readers.get("evaluation")
    return reader(pilot) if reader is not None else None
