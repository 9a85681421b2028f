"""The registers port (:class:`shared.services.ports.registers.Registers`) on CSV and Excel
files: what bootstrap gives the services."""

from __future__ import annotations

from collections.abc import Iterable

from shared.adapters.registers.case_export import read_case_export
from shared.adapters.registers.selection_sheet import selection_sheet
from shared.core.eligibility import StaffMember
from shared.core.sampling import SampleProposal
from shared.core.schema import AuditSchema, SamplingSettings
from shared.services.ports.registers import ExportReading, Registers


class SpreadsheetRegisters(Registers):
    def read_case_export(
        self, data: bytes, source: str, settings: SamplingSettings, staff: Iterable[StaffMember]
    ) -> ExportReading:
        return read_case_export(data, source, settings, staff)

    def selection_sheet(self, schema: AuditSchema, proposal: SampleProposal) -> bytes:
        return selection_sheet(schema, proposal)
