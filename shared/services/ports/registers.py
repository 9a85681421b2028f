"""The registers port: the spreadsheets the moderation service reads and writes for the month's
case selection (2.1), the case management system's case list and the allocation sheet QA edits
(:mod:`shared.adapters.registers` reads and writes them; bootstrap gives them to the services).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field

from shared.core.eligibility import StaffMember
from shared.core.sampling import ExportedCase, SampleProposal
from shared.core.schema import AuditSchema, SamplingSettings


@dataclass(frozen=True, slots=True)
class ExportProblem:
    row: int  # as the spreadsheet shows it; 0 for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        where = f"Row {self.row}, {self.column}" if self.column else f"Row {self.row}"
        return f"{where}: {self.message}"


@dataclass
class ExportReading:
    """The cases, or (when ``problems`` is not empty) nothing to load and every reason."""

    cases: list[ExportedCase] = field(default_factory=list)
    problems: list[ExportProblem] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.problems)


class Registers(ABC):
    @abstractmethod
    def read_case_export(
        self, data: bytes, source: str, settings: SamplingSettings, staff: Iterable[StaffMember]
    ) -> ExportReading:
        """The case list exported from the case management system (CSV or Excel), every row
        checked on its own: the cases, or every problem and nothing to load."""

    @abstractmethod
    def selection_sheet(self, schema: AuditSchema, proposal: SampleProposal) -> bytes:
        """The allocation sheet holding the proposed sample, and a "Why chosen" sheet beside it."""
