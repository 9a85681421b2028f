"""SharePoint JSON formatting of the lists (issue 18): every formatter keeps to Microsoft's
formatting syntax reference, is provisioned as code on the site's fields and views, and a second
run changes nothing."""

from __future__ import annotations

import json

from shared.adapters.lists import formatting
from shared.adapters.lists.formatted import formatted_definitions
from shared.adapters.lists.provision import provision
from shared.core.grades import Grade
from shared.core.schema_reader import load_schema
from shared.services.ports.list_definitions import BUILT_IN_COLUMNS
from tests.lists.conftest import sharepoint_store
from tests.sharepoint_server.server import LoopbackSharePoint

SCHEMA = load_schema()
DEFINITIONS = formatted_definitions(SCHEMA)


def test_every_formatter_keeps_to_the_documented_syntax_and_sets_only_real_columns() -> None:
    checked = 0
    for definition in DEFINITIONS:
        names = frozenset({c.name for c in definition.columns} | set(BUILT_IN_COLUMNS))
        for text in [c.formatter for c in definition.columns] + [v.formatter for v in definition.views]:
            if not text:
                continue
            checked += 1
            assert formatting.problems_of(json.loads(text), names) == [], definition.title
    assert checked >= 8


def test_the_checker_refuses_what_sharepoint_refuses() -> None:
    bad = {
        "$schema": formatting.COLUMN_SCHEMA,
        "elmType": "marquee",
        "attributes": {"onclick": "x"},
        "children": [{"elmType": "button", "txtContent": "Go"}],
    }
    problems = formatting.problems_of(bad, frozenset({"status"}))
    assert len(problems) == 3
    wrong_column = formatting.mark_done()
    wrong_column["children"][1]["customRowAction"]["actionInput"] = {"state": "Done"}
    assert formatting.problems_of(wrong_column, frozenset({"status"})) != []


def test_due_dates_judgements_and_the_buttons_are_where_people_look() -> None:
    by_title = {d.title: d for d in DEFINITIONS}
    tasks, allocations, submissions = (
        by_title["Tasks"],
        by_title["Audit Allocations"],
        by_title["Audit Submissions"],
    )
    status = json.loads(tasks.column("status").formatter)  # type: ignore[union-attr]
    (button,) = [c for c in status["children"] if c["elmType"] == "button"]
    assert button["txtContent"] == "Mark done"
    assert button["customRowAction"] == {
        "action": "setValue",
        "actionInput": {"status": "Done", "completed_on": "@now"},
    }
    drafts = by_title["Audit Drafts"]
    submit = json.loads(drafts.column("submit_for_qa").formatter)  # type: ignore[union-attr]
    (button,) = [c for c in submit["children"] if c["elmType"] == "button"]
    assert button["customRowAction"]["actionInput"] == {"submit_for_qa": "true"}
    due = allocations.column("due_date").formatter  # type: ignore[union-attr]
    assert "sp-field-severity--blocked" in due
    assert "sp-field-severity--warning" in due
    assert "overdue" in due
    assert "due soon" in due
    judgement = submissions.column("overall_grade").formatter  # type: ignore[union-attr]
    # Readable in greyscale: each judgement has its own icon shape, and the words stay.
    icons = [icon for icon, _ in formatting.JUDGEMENT_LOOK.values()]
    assert len(set(icons)) == len(Grade)
    assert all(icon in judgement for icon in icons)
    assert '"txtContent":"@currentField"' in judgement
    assert all(c.formatter for c in submissions.columns if c.name.endswith("_grade"))
    (open_tasks,) = [v for v in tasks.views if v.title == "Open tasks"]
    assert "status" in open_tasks.columns
    assert json.loads(open_tasks.formatter)["$schema"] == formatting.ROW_SCHEMA


def test_formatting_is_provisioned_on_the_site_and_a_second_run_changes_nothing() -> None:
    with LoopbackSharePoint() as server, sharepoint_store(server) as store:
        provision(store.provisioner(), DEFINITIONS)
        tasks = server.lists["Tasks"]
        assert json.loads(tasks.fields["status"].custom_formatter) == formatting.mark_done()
        assert json.loads(tasks.views["Open tasks"].custom_formatter) == formatting.overdue_rows()
        library = server.lists["Audit Drafts"]
        assert json.loads(library.fields["submit_for_qa"].custom_formatter) == formatting.submit_for_qa()
        assert provision(store.provisioner(), DEFINITIONS).changes == []
        # Someone clears a formatter by hand: the next run puts it back, and says so.
        tasks.fields["due_date"].custom_formatter = ""
        tasks.views["Overdue"].custom_formatter = ""
        report = provision(store.provisioner(), DEFINITIONS)
        assert report.changes == [
            "'Tasks': column 'due_date' formatting updated.",
            "'Tasks': updated view 'Overdue'.",
        ]
        assert tasks.fields["due_date"].custom_formatter
        assert provision(store.provisioner(), DEFINITIONS).changes == []


def test_the_loopback_refuses_a_formatter_that_is_not_json_as_sharepoint_does() -> None:
    import pytest

    from shared.adapters.lists.sp_http import SharePointError
    from shared.services.ports.list_definitions import Column, ColumnKind

    with LoopbackSharePoint() as server, sharepoint_store(server) as store:
        provision(store.provisioner(), DEFINITIONS)
        tasks = next(d for d in DEFINITIONS if d.title == "Tasks")
        with pytest.raises(SharePointError):
            store.provisioner().update_column(
                tasks, Column("status", "Status", ColumnKind.CHOICE, formatter="{not json")
            )
