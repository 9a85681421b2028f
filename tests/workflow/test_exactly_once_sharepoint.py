"""Exactly once on SharePoint (issue 11): a connection dropped at any request of a processing run,
before SharePoint applied it or after (so the service cannot know), then a re-run, ends with the
same lists, Audit Trail and emails as a run without faults (2.2, 2.6, 2.11). Reads are retried by
the adapter; a write whose outcome is unknown stops the run, and the re-run reconciles."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from shared.adapters.forms.word import fill_word_form
from shared.demo.examples import good_audit, half_filled_audit, inadequate_audit_with_safeguarding_concern
from shared.services.ports.lists import ListStoreError
from shared.services.workflow.changes import WATCHED
from shared.services.workflow.intake import submit_file
from tests.functions.scenario import fresh_site, lists_snapshot, outbox
from tests.sharepoint_server.server import FaultPlan, LoopbackSharePoint
from tests.workflow.conftest import TEMPLATES, Desk, make_desk, sharepoint_for

CASES = ("DEMO-0001", "DEMO-0002", "DEMO-0003")
FORMS = (good_audit, inadequate_audit_with_safeguarding_concern, half_filled_audit)


def _month(server: LoopbackSharePoint, home: Path) -> Desk:
    fresh_site(server)
    desk = make_desk(sharepoint_for(server), home)
    for case in CASES:
        desk.at(dt.date(2026, 11, 2)).allocate(case)
    desk.at(dt.date(2026, 11, 20))
    for case, make in zip(CASES, FORMS, strict=True):
        fields = make()
        fields["case_ref"] = case
        path = home / "uploads" / f"{case}.docx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(fill_word_form(TEMPLATES / "case-file-audit.docx", fields))
        submit_file(desk.services, path)
    return desk


def _outcome(desk: Desk) -> tuple[Any, list[tuple[str, str, str]]]:
    return lists_snapshot(desk), outbox(desk.home)


@pytest.fixture(scope="module")
def reference(
    loopback_sharepoint: LoopbackSharePoint, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    server = loopback_sharepoint
    desk = _month(server, tmp_path_factory.mktemp("reference"))
    server.set_faults(FaultPlan())  # counts requests from 1
    desk.process()
    posts = [n for n, (method, _) in enumerate(server.requests, start=1) if method == "POST"]
    outcome = _outcome(desk)
    desk.process()
    assert _outcome(desk) == outcome
    desk.services.close()
    return {"outcome": outcome, "posts": posts}


@pytest.mark.parametrize("fault", ["drop-before", "drop-after"])
def test_a_connection_dropped_at_any_batch_then_a_re_run_loses_and_doubles_nothing(
    fault: str, loopback_sharepoint: LoopbackSharePoint, reference: dict[str, Any], tmp_path: Path
) -> None:
    server = loopback_sharepoint
    posts = reference["posts"]
    assert posts, "the run made no POST ($batch) requests"
    # Every write of the run is a POST; a seeded sample of them, always the first and the last,
    # keeps the suite's time in bounds (each trial replays a month on the loopback site).
    chosen = sorted({posts[0], posts[-1], *random.Random(11).sample(posts, min(8, len(posts)))})
    for request in chosen:
        desk = _month(server, tmp_path / f"{fault}-{request}")
        server.set_faults(FaultPlan(at_request={request: fault}))
        # A write whose outcome is unknown stops the run: nothing is half-believed.
        with contextlib.suppress(ListStoreError):
            desk.process()
        server.set_faults(FaultPlan())
        desk.process()
        assert _outcome(desk) == reference["outcome"], f"{fault} at request {request}"
        desk.services.close()


def test_after_a_change_log_expired_every_item_is_looked_at_again_and_nothing_is_done_twice(
    loopback_sharepoint: LoopbackSharePoint, tmp_path: Path
) -> None:
    """The service was off for longer than SharePoint keeps its change log (about 60 days): the
    next run re-reads every item, acts only on what was not acted on, and tells QA once."""
    server = loopback_sharepoint
    desk = _month(server, tmp_path)
    desk.process()  # the first two audits were dealt with
    before = _outcome(desk)
    server.age_change_log()
    result = desk.process()
    assert result.submissions == []  # nothing new, nothing redone
    lists, emails = _outcome(desk)
    assert lists == before[0]
    told = sorted(subject for _, _, subject in set(emails) - set(before[1]))
    # Once for each watched list that has items (no bulletin yet, and no audit accepted: no actions).
    with_items = sorted(name for name in WATCHED if name not in ("Learning Bulletins", "Improvement Actions"))
    assert told == [f"Audit Desk looked at every item of {name} again" for name in with_items]
    desk.process()
    assert _outcome(desk) == (lists, emails)  # told once
    desk.services.close()


def test_an_upload_made_while_the_change_log_expired_is_processed_by_the_resync_2_2(
    loopback_sharepoint: LoopbackSharePoint, tmp_path: Path
) -> None:
    server = loopback_sharepoint
    desk = _month(server, tmp_path)
    server.age_change_log()
    result = desk.process()
    assert sorted(s.file_name for s in result.submissions) == sorted(f"{case}.docx" for case in CASES)
    assert desk.process().submissions == []
    desk.services.close()
