"""The demo: fictional example audits checked against the framework's rules."""

from __future__ import annotations

import datetime as dt
import json

from shared.cli.context import AppContext
from shared.cli.render import console, print_findings
from shared.core.deadlines import AuditMonth
from shared.core.validation import check_audit
from shared.demo.examples import EXAMPLES

DEMO_MONTH = AuditMonth(2026, 11)


def run_demo(ctx: AppContext) -> None:
    rules = ctx.deadlines
    home = ctx.settings.home
    home.mkdir(parents=True, exist_ok=True)
    console.rule(f"Audit Desk demo: audits allocated in {DEMO_MONTH.label} (all data fictional)")
    console.print(
        f"Allocation list due {rules.allocation_list_due_date(DEMO_MONTH):%a %d %b %Y} (2.1); "
        f"audits due {rules.audit_due_date(DEMO_MONTH):%a %d %b %Y} (2.2)."
    )
    results = []
    for title, make_fields in EXAMPLES.items():
        check = check_audit(make_fields(), ctx.schema, rules, DEMO_MONTH)
        record = check.record
        verdict = (
            "[green]ready for the QA check[/green]"
            if check.is_acceptable
            else "[red]returned to the auditor[/red]"
        )
        console.print(
            f"\n[bold]{title}[/bold]: {verdict} ({len(check.errors)} errors, {len(check.warnings)} warnings)"
        )
        print_findings(check.findings, indent="    ")
        submitted = record.audit_date or rules.audit_due_date(DEMO_MONTH)
        timeline = _timeline(
            ctx, record.overall_grade, record.safeguarding_concern, submitted, check.is_acceptable
        )
        for line in timeline:
            console.print(f"    → {line}")
        results.append(
            {
                "example": title,
                "acceptable": check.is_acceptable,
                "findings": [f.as_dict() for f in check.findings],
                "next": timeline,
            }
        )
    out = home / "demo-results.json"
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    console.print(f"\nResults written to [bold]{out}[/bold]")


def _timeline(
    ctx: AppContext,
    overall: object,
    safeguarding: bool | None,
    submitted: dt.date,
    acceptable: bool,
) -> list[str]:
    from shared.core.grades import Grade

    rules = ctx.deadlines
    lines = []
    if safeguarding:
        lines.append(
            f"Team Manager alerted now; corrective action recorded on Liquidlogic by "
            f"{rules.safeguarding_action_due_date(submitted):%a %d %b %Y} (2.6)"
        )
    if not acceptable:
        lines.append(
            f"If returned today, amendments due {rules.amendment_due_date(submitted):%a %d %b %Y} (2.11)"
        )
        return lines
    if isinstance(overall, Grade):
        days = rules.discussion_working_days(overall)
        lines.append(
            f"Findings shared on {submitted:%d %b}: discussion within {days} working days, by "
            f"{rules.discussion_due_date(submitted, overall):%a %d %b %Y} (2.10)"
        )
        if overall is Grade.INADEQUATE:
            month = rules.reaudit_month(DEMO_MONTH)
            lines.append(
                f"Re-audit by a Senior Manager in {month.label}, due "
                f"{rules.reaudit_due_date(DEMO_MONTH):%a %d %b %Y} (2.12)"
            )
    return lines
