"""The framework's tasks: one home for their names.

A task is a step the framework puts on a person (an amendment, a discussion, a re-audit, a
safeguarding action, a programme activity, a moderation). The Tasks list offers exactly these
choices, so adding a member here adds the choice to the list (and to its SharePoint column).

They are ``StrEnum``s: a member is the text the list holds, so ``task.task_type == TaskType.DISCUSSION``
holds for a value read back from a list.
"""

from __future__ import annotations

from enum import StrEnum


class TaskType(StrEnum):
    AMENDMENT = "Amendment"  # 2.11: the auditor amends and resubmits
    DISCUSSION = "Discussion"  # 2.10: the Team Manager discusses the findings
    REAUDIT = "Re-audit"  # 2.12: an Inadequate case is audited again next month
    SAFEGUARDING = "Safeguarding"  # 2.6: corrective action on an immediate concern
    REMINDER = "Reminder"
    OBSERVATION = "Observation"  # 6
    CASE_DISCUSSION = "Case discussion"  # 4
    SUPERVISION_AUDIT = "Supervision audit"  # 5
    REFLECTIVE_REVIEW = "Reflective review"  # 6.5: after an observation
    MODERATION = "Moderation"  # 7.2


# Tasks that stand for the auditor's own step on the allocation: the task is the one thing.
AUDITOR_TASKS = (TaskType.AMENDMENT, TaskType.REAUDIT)
# The programme's activities (4, 5, 6): each scheduled item is a task of its type.
PROGRAMME_TASKS = (TaskType.OBSERVATION, TaskType.CASE_DISCUSSION, TaskType.SUPERVISION_AUDIT)


class TaskStatus(StrEnum):
    OPEN = "Open"
    DONE = "Done"
    CANCELLED = "Cancelled"
