"""The command line over the core: deadlines, schema, demo."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from shared.entry.cli.main import app

runner = CliRunner()


def test_deadlines_for_a_month_show_each_rule_with_its_section() -> None:
    result = runner.invoke(app, ["deadlines", "--month", "2026-12"])
    assert result.exit_code == 0, result.output
    assert "December 2026" in result.output
    assert "Thu 31 Dec 2026" in result.output  # audits due (2.2)
    assert "Fri 29 Jan 2027" in result.output  # re-audit due (2.12)


def test_deadlines_default_to_the_month_of_today() -> None:
    result = runner.invoke(app, ["--today", "2027-02-10", "deadlines"])
    assert result.exit_code == 0, result.output
    assert "February 2027" in result.output


def test_a_bad_month_is_explained() -> None:
    result = runner.invoke(app, ["deadlines", "--month", "Dec"])
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output


def test_a_bad_today_is_explained() -> None:
    result = runner.invoke(app, ["--today", "yesterday", "deadlines"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_a_broken_schema_is_refused_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "schema.toml"
    broken.write_text("[schema]\nid = 'x'\n", encoding="utf-8")
    result = runner.invoke(app, ["--schema", str(broken), "schema"])
    assert result.exit_code == 2
    assert "'grades' is missing" in result.output


def test_schema_lists_domains_and_forms() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    assert "Voice and lived experience of the child" in result.output
    assert "case-file-audit" in result.output
