"""What the other services add to the workflow, handed in by bootstrap.

The workflow (section 2) is the base the programme (3-6), moderation (7.2) and the reports (8)
build on, so it never imports them: their part in intake, the daily sweep and change processing
is given to it here, and :func:`shared.bootstrap.workflow_extensions` says which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from shared.services.ports.forms import FormOutcome
    from shared.services.ports.lists import ListItem
    from shared.services.workflow.dependencies import Services
    from shared.services.workflow.workflow_run import Run


class FormRecorded(Protocol):
    """What recording a returned form on its own list says: ``recorded`` False sends the file to
    quarantine with ``reason``."""

    @property
    def recorded(self) -> bool: ...
    @property
    def reason(self) -> str: ...
    @property
    def team(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ReturnedForm:
    """A form that comes back to Audit Submissions but is not a case file audit: recorded on its
    own list (a schedule item, a moderation) and filed with ``outcome``."""

    outcome: str
    record: Callable[[Run, FormOutcome, str, bytes], FormRecorded]


@dataclass(frozen=True, slots=True)
class WorkflowExtensions:
    # template id -> how a returned form of that kind is recorded (4-6, 7.2)
    returned_forms: Mapping[str, ReturnedForm] = field(default_factory=dict)
    # notices the daily sweep also sends; each returns how many people it told (6.5)
    sweep_notices: tuple[Callable[[Run], int], ...] = ()
    # watched list -> what a changed item of it sets off (a bulletin QA approved is published, 8.1)
    list_changes: Mapping[str, Callable[[Services, ListItem], object]] = field(default_factory=dict)
