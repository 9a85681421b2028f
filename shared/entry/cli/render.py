"""Readable terminal output for findings and deadlines, shared by every command."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table

from shared.core.findings import Finding, Severity

# Wide enough for the status table when output goes to a file or a pipe (Rich would use 80).
console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)

_MARK = {Severity.ERROR: "[red]✗ error  [/red]", Severity.WARNING: "[yellow]! warning[/yellow]"}


def print_findings(findings: Iterable[Finding], indent: str = "  ") -> None:
    """One line per finding: severity, field, message, the code and section at the end."""
    shown = False
    for finding in findings:
        shown = True
        where = f"[bold]{finding.field}[/bold]: " if finding.field else ""
        tail = f" [dim]({finding.code}{', ' + finding.section if finding.section else ''})[/dim]"
        console.print(f"{indent}{_MARK[finding.severity]} {where}{finding.message}{tail}")
    if not shown:
        console.print(f"{indent}[green]✓ no findings[/green]")


def table(title: str, columns: Iterable[str], rows: Iterable[Iterable[str]]) -> Table:
    result = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        result.add_column(column)
    for row in rows:
        result.add_row(*row)
    return result
