"""The auditor's self-check over HTTP gives what `auditdesk validate --json` prints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import azure.functions as func
from typer.testing import CliRunner

from shared.adapters.forms.word import fill_word_form
from shared.demo.examples import good_audit, half_filled_audit
from tests.functions.conftest import Context, Functions
from tests.workflow.conftest import TEMPLATES


def _post(functions: Functions, body: bytes, **params: str) -> func.HttpResponse:
    request = func.HttpRequest("POST", "http://localhost/api/forms/validate", params=params, body=body)
    response: func.HttpResponse = functions["validate_form"](request, Context())
    return response


def _cli_json(path: Path) -> list[dict[str, Any]]:
    from shared.entry.cli.main import app as cli

    answer = CliRunner().invoke(cli, ["--home", str(path.parent / "home"), "validate", "--json", str(path)])
    found: list[dict[str, Any]] = json.loads(answer.stdout)
    return found


def test_a_filled_form_gets_the_same_json_as_the_command_line(functions: Functions, tmp_path: Path) -> None:
    for name, fields in (("good.docx", good_audit()), ("half.docx", half_filled_audit())):
        path = tmp_path / name
        path.write_bytes(fill_word_form(TEMPLATES / "case-file-audit.docx", fields))
        response = _post(functions, path.read_bytes(), name=path.name)
        assert response.status_code == 200
        assert response.mimetype == "application/json"
        assert json.loads(response.get_body()) == _cli_json(path)


def test_a_hostile_file_is_rejected_as_the_command_line_rejects_it(
    functions: Functions, tmp_path: Path
) -> None:
    path = tmp_path / "audit.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    response = _post(functions, path.read_bytes(), name=path.name)
    assert response.status_code == 200
    assert json.loads(response.get_body()) == _cli_json(path)
    assert json.loads(response.get_body())[0]["status"] == "rejected"


def test_no_file_or_a_bad_month_is_a_400_saying_what_to_send(functions: Functions) -> None:
    assert _post(functions, b"").status_code == 400
    response = _post(functions, b"PK\x03\x04", month="November")
    assert response.status_code == 400
    assert b"month" in response.get_body()


def test_the_self_check_needs_a_function_key_and_the_webhook_does_not() -> None:
    from function_app import app as _  # noqa: F401 - indexing registers the routes
    from functions import sharepoint_webhook, validate_form

    def auth(blueprint: object) -> str:
        (function,) = blueprint._function_builders  # type: ignore[attr-defined]
        (trigger,) = [b for b in function.build().get_bindings() if b.type == "httpTrigger"]
        return str(trigger.auth_level)

    assert "FUNCTION" in auth(validate_form.bp).upper()
    assert "ANONYMOUS" in auth(sharepoint_webhook.bp).upper()
