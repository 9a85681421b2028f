"""``auditdesk validate`` and ``auditdesk templates build`` (issue 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared.adapters.forms import fill_word_form
from shared.adapters.forms.templates import TEMPLATES_DIR
from shared.demo.examples import half_filled_audit
from shared.demo.hostile_forms import macro_enabled
from shared.entry.cli.main import app

runner = CliRunner()


@pytest.fixture
def forms(tmp_path: Path, good_word: bytes, good_excel: bytes, word_template: bytes) -> dict[str, Path]:
    files = {
        "valid.docx": good_word,
        "valid.xlsx": good_excel,
        "invalid.docx": fill_word_form(word_template, half_filled_audit()),
        "hostile.docm": macro_enabled(good_word),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    return paths


def _validate(*arguments: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", *map(str, arguments)])
    return result.exit_code, result.output


def test_validate_exits_0_when_every_form_is_valid(forms: dict[str, Path]) -> None:
    code, output = _validate(forms["valid.docx"], forms["valid.xlsx"])
    assert code == 0, output
    assert "valid" in output
    assert "valid.xlsx" in output


def test_validate_exits_1_when_any_form_is_invalid_and_lists_what_to_fix(forms: dict[str, Path]) -> None:
    code, output = _validate(forms["valid.docx"], forms["invalid.docx"])
    assert code == 1
    assert "d3_grade" in output
    assert "grade-unreadable" in output


def test_validate_exits_2_when_any_form_is_rejected_with_the_reason(forms: dict[str, Path]) -> None:
    code, output = _validate(forms["invalid.docx"], forms["hostile.docm"])
    assert code == 2
    assert "rejected" in output
    assert "macros" in output


def test_validate_json_gives_status_findings_and_parsed_fields(forms: dict[str, Path]) -> None:
    result = runner.invoke(app, ["validate", "--json", *map(str, forms.values())])
    assert result.exit_code == 2
    report = {entry["file"]: entry for entry in json.loads(result.stdout)}
    assert report["valid.docx"]["status"] == "valid"
    assert report["valid.docx"]["fields"]["audit_date"] == "2026-11-20"
    assert report["invalid.docx"]["status"] == "invalid"
    assert {"code", "field", "severity", "message", "section"} <= set(report["invalid.docx"]["findings"][0])
    assert report["hostile.docm"]["status"] == "rejected"
    assert "macros" in report["hostile.docm"]["reason"]


def test_validate_with_fields_lists_the_answers_read(forms: dict[str, Path]) -> None:
    result = runner.invoke(app, ["validate", "--fields", str(forms["valid.docx"])])
    assert "case_ref = DEMO-0001" in result.output


def test_templates_build_writes_the_same_templates_as_shipped(tmp_path: Path) -> None:
    result = runner.invoke(app, ["templates", "build", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    shipped_files = [*TEMPLATES_DIR.glob("*.docx"), *TEMPLATES_DIR.glob("*.xlsx")]
    assert {p.name for p in shipped_files} >= {"staff-register.xlsx", "allocation-sheet.xlsx"}
    for shipped in shipped_files:
        assert (tmp_path / shipped.name).read_bytes() == shipped.read_bytes(), shipped.name
