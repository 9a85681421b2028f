"""The framework's task types, task statuses and submission outcomes have one home (shared/core):
the lists offer exactly them, and no product module spells one as a bare string."""

from __future__ import annotations

import ast
from pathlib import Path

import shared
from shared.adapters.lists.formatted import definitions_by_title
from shared.core.schema_reader import load_schema
from shared.core.stages import ModerationStatus, QADecision, SubmissionOutcome
from shared.core.tasks import TaskStatus, TaskType

PRODUCT = Path(shared.__file__).parent
WORDS = {str(member) for enum in (TaskType, TaskStatus, SubmissionOutcome) for member in enum}


def _choices(list_title: str, column: str) -> tuple[str, ...]:
    found = definitions_by_title(load_schema())[list_title].column(column)
    assert found is not None
    return tuple(found.choices)


def test_the_tasks_list_offers_every_task_type_and_status() -> None:
    assert _choices("Tasks", "task_type") == tuple(TaskType)
    assert _choices("Tasks", "status") == tuple(TaskStatus)


def test_every_submission_ends_in_an_outcome_the_list_offers_2_2_2_11() -> None:
    assert _choices("Audit Submissions", "outcome") == tuple(SubmissionOutcome)
    assert _choices("Audit Allocations", "qa_decision") == tuple(QADecision)
    assert _choices("Moderation", "status") == tuple(ModerationStatus)


def _bare_words(path: Path) -> list[str]:
    """String constants compared with a task's type, status or outcome, or given to
    ``run.task``/``complete_tasks`` as the task type."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            names = [node.left, *node.comparators]
            about = any(
                isinstance(n, ast.Attribute) and n.attr in ("task_type", "status", "outcome") for n in names
            )
            values = [n for n in names if isinstance(n, ast.Constant)]
            values += [
                e for n in names if isinstance(n, ast.Tuple) for e in n.elts if isinstance(e, ast.Constant)
            ]
            if about:
                found += [f"{path.name}:{v.lineno} {v.value!r}" for v in values if v.value in WORDS]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("task", "complete_tasks")
            and len(node.args) > 1
        ):
            kind = node.args[1]
            if isinstance(kind, ast.Constant) and kind.value in WORDS:
                found.append(f"{path.name}:{kind.lineno} {kind.value!r}")
    return found


def test_no_product_module_spells_a_task_type_status_or_outcome_as_a_string() -> None:
    bare = [word for path in PRODUCT.rglob("*.py") if "demo" not in path.parts for word in _bare_words(path)]
    assert bare == []


def test_every_list_is_created_under_a_title_from_its_one_home() -> None:
    from shared.core import list_titles

    titles = {value for name, value in vars(list_titles).items() if name.isupper()}
    assert set(definitions_by_title(load_schema())) == titles
