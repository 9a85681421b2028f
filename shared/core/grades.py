"""Judgement grades (2.7): Outstanding > Good > Requires Improvement > Inadequate."""

from __future__ import annotations

from enum import Enum


class Grade(Enum):
    """A judgement on the Ofsted ILACS scale, best first (2.7).

    The values are exactly the strings the forms and lists carry.
    """

    OUTSTANDING = "Outstanding"
    GOOD = "Good"
    REQUIRES_IMPROVEMENT = "Requires Improvement"
    INADEQUATE = "Inadequate"

    @property
    def rank(self) -> int:
        """0 for Outstanding up to 3 for Inadequate: lower is better."""
        return _RANK[self]

    def at_least(self, other: Grade) -> bool:
        """True when this grade is as good as ``other`` or better."""
        return self.rank <= other.rank

    @property
    def is_weak(self) -> bool:
        """Requires Improvement or Inadequate: a domain that needs an improvement action (2.8)."""
        return self.rank >= _RANK[Grade.REQUIRES_IMPROVEMENT]


_RANK = {grade: index for index, grade in enumerate(Grade)}

NOT_APPLICABLE = "Not applicable"

# Spellings auditors type or Word keeps from older tools, mapped to the grade they mean.
_ALIASES = {
    "requires improvement (to be good)": Grade.REQUIRES_IMPROVEMENT,
    "requires improvement to be good": Grade.REQUIRES_IMPROVEMENT,
    "ri": Grade.REQUIRES_IMPROVEMENT,
}
_BY_TEXT = {grade.value.casefold(): grade for grade in Grade} | _ALIASES
_NOT_APPLICABLE_TEXT = {"not applicable", "n/a", "na"}


def parse_grade(text: str) -> Grade | str | None:
    """Read a grade as typed on a form.

    Returns the Grade, the string ``NOT_APPLICABLE`` for "Not applicable", or None when
    the text is no grade at all (the caller reports it with the field it came from).
    """
    key = " ".join(text.split()).casefold()
    if key in _NOT_APPLICABLE_TEXT:
        return NOT_APPLICABLE
    return _BY_TEXT.get(key)
