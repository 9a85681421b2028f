"""The app as the Functions host indexes it, host.json's queue settings, and a light cold start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from shared.entry.functions.worker import MAX_DEQUEUE_COUNT
from tests.functions.conftest import Functions

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "office365",
    "openpyxl",
    "docxtpl",
    "matplotlib",
    "docx",
    "lxml",
    "msal",
    "shared.services.workflow",
    "shared.adapters.forms",
)


def test_the_app_registers_every_trigger(functions: Functions) -> None:
    assert sorted(functions) == [
        "daily_sweep",
        "monthly_kickoff",
        "monthly_reports",
        "process_changes",
        "quarterly_report",
        "renew_subscriptions",
        "sharepoint_webhook",
        "validate_form",
    ]


def test_host_json_poisons_after_the_deliveries_the_worker_counts_and_bounds_each_run() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    assert host["version"] == "2.0"
    assert host["extensionBundle"]["version"] == "[4.*, 5.0.0)"
    queues = host["extensions"]["queues"]
    assert queues["maxDequeueCount"] == MAX_DEQUEUE_COUNT
    assert queues["visibilityTimeout"]
    assert host["functionTimeout"] <= "00:30:00"


def test_indexing_the_app_imports_no_heavy_module() -> None:
    code = (
        "import sys, function_app; function_app.app.get_functions(); "
        f"print([m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m.startswith({HEAVY!r})])"
    )
    answer = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip() == "[]"


def test_local_settings_example_names_every_setting_and_holds_no_secret() -> None:
    example = json.loads((ROOT / "local.settings.json.example").read_text())
    values = example["Values"]
    assert values["FUNCTIONS_WORKER_RUNTIME"] == "python"
    assert values["AzureWebJobsStorage"] == "UseDevelopmentStorage=true"
    for name in ("AUDITDESK_SP_SITE_URL", "AUDITDESK_WEBHOOK_URL", "AUDITDESK_WEBHOOK_CLIENT_STATE"):
        assert name in values
    assert not any("BEGIN" in str(v) or "AccountKey" in str(v) for v in values.values())


def test_no_two_timers_fire_at_the_same_minute(indexed_functions: list[Any]) -> None:
    """The jobs are spaced so each has the instance alone (the reports load Presidio and
    matplotlib: the monthly and the quarterly ones must not run side by side)."""
    schedules: list[str] = []
    for function in indexed_functions:
        for binding in function.get_bindings():
            schedule = getattr(binding, "schedule", None)
            if schedule:
                schedules.append(str(schedule))
    assert len(schedules) == 5
    assert len(set(schedules)) == len(schedules), schedules
