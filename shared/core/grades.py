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
        return _RANK[self._value_]

    def at_least(self, other: Grade) -> bool:
        """True when this grade is as good as ``other`` or better."""
        return _RANK[self._value_] <= _RANK[other._value_]

    @property
    def is_weak(self) -> bool:
        """Requires Improvement or Inadequate: a domain that needs an improvement action (2.8)."""
        return _RANK[self._value_] >= 2


# Keyed by value (read as ``_value_``: the ``value`` property and enum hashing are slow, and
# grades are compared for every domain of every form).
_RANK = {"Outstanding": 0, "Good": 1, "Requires Improvement": 2, "Inadequate": 3}

NOT_APPLICABLE = "Not applicable"

# Spellings auditors type or Word keeps from older tools, mapped to the grade they mean.
_ALIASES = {
    "requires improvement (to be good)": Grade.REQUIRES_IMPROVEMENT,
    "requires improvement to be good": Grade.REQUIRES_IMPROVEMENT,
    "ri": Grade.REQUIRES_IMPROVEMENT,
}
_BY_TEXT = {grade.value.casefold(): grade for grade in Grade} | _ALIASES
EXACT_GRADES: dict[str, Grade | str] = {grade.value: grade for grade in Grade} | {
    NOT_APPLICABLE: NOT_APPLICABLE
}
_NOT_APPLICABLE_TEXT = {"not applicable", "n/a", "na"}


def parse_grade(text: str) -> Grade | str | None:
    """Read a grade as typed on a form.

    Returns the Grade, the string ``NOT_APPLICABLE`` for "Not applicable", or None when
    the text is no grade at all (the caller reports it with the field it came from).
    """
    exact = EXACT_GRADES.get(text)
    if exact is not None:
        return exact
    key = " ".join(text.split()).casefold()
    if key in _NOT_APPLICABLE_TEXT:
        return NOT_APPLICABLE
    return _BY_TEXT.get(key)
