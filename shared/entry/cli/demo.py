"""`make demo` (`auditdesk demo`): a whole fictional audit month on the embedded store (the
fictional data and the replay are in shared/demo/), then where to look."""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter

from shared.bootstrap import bootstrap
from shared.demo.moderation import demo_moderation
from shared.demo.month import MONTH, replay_month
from shared.demo.programme import demo_programme
from shared.demo.reports import demo_reports
from shared.entry.cli.context import AppContext
from shared.entry.cli.render import console, table
from shared.services.workflow.actions import all_actions
from shared.services.workflow.clock import Clock
from shared.services.workflow.status import allocation_statuses, open_tasks


def run_demo(ctx: AppContext) -> None:
    started = time.perf_counter()
    home = ctx.settings.home
    if home.exists():
        shutil.rmtree(home)  # the demo's own folder: every run starts from an empty store
    home.mkdir(parents=True)
    console.rule(f"Audit Desk demo: {MONTH.label}, on the embedded store (all people and cases fictional)")
    _validate_example_forms(ctx)
    services = bootstrap(ctx.settings, ctx.schema, ctx.deadlines, Clock(MONTH.first_day))
    try:
        replay = replay_month(services, home / "uploads", say=console.print)
        statuses = allocation_statuses(services)
        tasks = open_tasks(services)
        actions = Counter(a.status.value for a in all_actions(services))
        console.print("\n[bold]Reports (8.1): built, filed in the Reports library and emailed[/bold]")
        reports = demo_reports(services, home / "reports", say=console.print)
        today = services.clock.today()
        console.print(
            "\n[bold]The rest of the framework (3-6): next year's programme, and its first months[/bold]"
        )
        demo_programme(services, console.print)
        console.print(
            "\n[bold]A fair sample and consistent grading (2.1, 7.2): case selection, moderation, calibration[/bold]"
        )
        demo_moderation(services, home / "moderation", console.print)
    finally:
        services.close()

    console.print()
    console.print(
        table(
            f"Where every audit stands on {today:%a %d %b %Y}",
            ("Case", "Month", "Auditor", "Stage", "Judgement", "Next", "", "Flags"),
            (
                (
                    s.case_ref,
                    s.month,
                    s.auditor,
                    s.stage,
                    s.overall_grade,
                    s.next_step + (f" by {s.next_due:%d/%m/%Y}" if s.next_due else ""),
                    "[red]OVERDUE[/red]" if s.overdue else "",
                    ("re-audit" if s.reaudit_month else "")
                    + (" late allocation" if s.late_allocation else ""),
                )
                for s in statuses
            ),
        )
    )
    overdue_tasks = [t for t in tasks if t.due_date and t.due_date < today]
    outcomes = Counter(replay.outcomes.values())
    emails = len(list((home / "outbox").glob("*.eml")))
    summary = {
        "month": str(MONTH),
        "allocations": len(statuses),
        "allocations_refused": replay.refused,
        "submission_outcomes": dict(outcomes),
        "reaudits": replay.reaudits,
        "open_tasks": len(tasks),
        "improvement_actions": dict(actions),
        "overdue_tasks": len(overdue_tasks),
        "overdue_audits": [s.case_ref for s in statuses if s.overdue],
        "emails": emails,
        "statuses": [s.as_dict() for s in statuses],
    }
    (home / "demo-summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    console.print(
        f"\n{len(statuses)} audits allocated ({len(replay.refused)} refused); submissions: "
        + ", ".join(f"{n} {k.lower()}" for k, n in sorted(outcomes.items()))
        + f"; {len(replay.reaudits)} re-audit(s) for next month."
    )
    console.print(
        f"Open tasks: {len(tasks)} ({len(overdue_tasks)} overdue). Overdue audits: "
        + (", ".join(summary["overdue_audits"]) or "none")  # type: ignore[arg-type]
        + "."
    )
    console.print(
        f"Improvement actions (2.8): {replay.actions_added} made from accepted plans ("
        + ", ".join(f"{n} {k.lower()}" for k, n in sorted(actions.items()))
        + "), reminded and escalated by the sweep; see them with: "
        f".venv/bin/auditdesk --home {home} actions --all"
    )
    console.print(f"\nResults in [bold]{home}/[/bold] ({time.perf_counter() - started:.0f} s):")
    console.print(
        f"  {home}/reports/           {len(reports)} files: the Audit Highlights Report, learning bulletin, quarterly report and data packs"
    )
    console.print(f"  {home}/outbox/            {emails} emails as .eml files (open them in any mail client)")
    console.print(
        f"  {home}/libraries/         the Audit Drafts (pre-filled forms) and Audit Submissions libraries"
    )
    console.print(
        f"  {home}/lists.sqlite3      the SharePoint lists (allocations, tasks, improvement actions, trail ...)"
    )
    console.print(
        f"  {home}/example-forms/     filled example forms: try .venv/bin/auditdesk validate on them"
    )
    console.print(
        f"  {home}/moderation/        December's allocation sheet from 3,000 fictional cases, a quarter's calibration sheet"
    )
    console.print(f"  {home}/demo-summary.json  this summary, for scripts")
    console.print(f"  Try: .venv/bin/auditdesk --home {home} --today 2026-12-01 status")


def _validate_example_forms(ctx: AppContext) -> None:
    """What an auditor sees from `auditdesk validate` before sending a form (issue 3)."""
    from shared.adapters.forms.reader import read_form_file
    from shared.demo.example_forms import write_example_forms
    from shared.entry.cli.render import print_findings

    console.print("\n[bold]Before sending: auditors check their forms with `auditdesk validate`[/bold]")
    for path in write_example_forms(ctx.settings.home / "example-forms", ctx.schema):
        outcome = read_form_file(path, ctx.schema, ctx.deadlines, MONTH)
        colour = {"valid": "green", "invalid": "yellow"}.get(outcome.status.value, "red")
        console.print(f"  [{colour}]{outcome.status.value:8}[/{colour}] {path.name}")
        shown = outcome.findings[:3]
        if shown:
            print_findings(shown, indent="      ")
        if len(outcome.findings) > len(shown):
            console.print(f"      … and {len(outcome.findings) - len(shown)} more")
