"""The timers, fired as the host fires them: nothing on non-working days, each job once on its
day, missed runs caught up, webhook subscriptions kept alive, and the reports published."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.entry.functions.jobs import JOBS
from shared.entry.functions.schedule import Cadence, TimerJob, due_days, previous_month, previous_quarter
from shared.services.workflow.changes import WATCHED
from tests.functions.conftest import CLIENT_STATE, App
from tests.functions.scenario import outbox
from tests.workflow.conftest import DEADLINES, QA_TEAM

D = dt.date
SATURDAY = D(2026, 11, 21)
CHRISTMAS = D(2026, 12, 25)
FIRST_WORKING_DAY_OF_DECEMBER = D(2026, 12, 1)
FIRST_WORKING_DAY_OF_JANUARY = D(2027, 1, 4)  # 1 January is a bank holiday, then a weekend


def _state(key: str) -> str | None:
    from shared.entry.functions.wiring import open_services

    services = open_services()
    try:
        return services.state.get(key)
    finally:
        services.close()


def _kickoffs(app: App) -> list[tuple[str, str, str]]:
    return [m for m in outbox(app.home) if m[2].startswith("Allocate the case file audits")]


@pytest.mark.parametrize("day", [SATURDAY, CHRISTMAS], ids=["saturday", "christmas-day"])
@pytest.mark.parametrize(
    "timer", ["daily_sweep", "monthly_kickoff", "monthly_reports", "quarterly_report", "renew_subscriptions"]
)
def test_a_timer_that_fires_on_a_non_working_day_does_nothing(app: App, timer: str, day: dt.date) -> None:
    app.today(day).fire(timer)
    assert outbox(app.home) == []
    assert app.sharepoint.notifications_for(WATCHED[0]) == []
    assert _reports(app) == []
    assert all(_state(job.timer.state_key) is None for job in JOBS.values())


def test_the_monthly_kickoff_reminds_qa_once_on_the_first_working_day(app: App) -> None:
    app.today(FIRST_WORKING_DAY_OF_DECEMBER).fire("monthly_kickoff")
    app.today(FIRST_WORKING_DAY_OF_DECEMBER).fire("monthly_kickoff")  # the host may fire twice
    assert _kickoffs(app) == [(QA_TEAM, "", "Allocate the case file audits for December 2026")]
    app.today(D(2026, 12, 2)).fire("monthly_kickoff")
    assert len(_kickoffs(app)) == 1


def test_a_missed_kickoff_is_caught_up_on_the_next_working_day(app: App) -> None:
    app.today(D(2026, 11, 2)).fire("monthly_kickoff")  # November's, on time
    # The app was down on 1 December; the timer next fires on Thursday the 3rd.
    app.today(D(2026, 12, 3)).fire("monthly_kickoff")
    assert sorted(m[2] for m in _kickoffs(app)) == [
        "Allocate the case file audits for December 2026",
        "Allocate the case file audits for November 2026",
    ]
    assert _state("timer-last-run:monthly-kickoff") == "2026-12-01"


def test_a_failed_sweep_runs_again_next_time_and_records_its_day_only_when_done(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.services.workflow.sweep as sweep

    real_sweep = sweep.sweep

    def failing(run: object) -> None:
        raise ConnectionError("SharePoint unreachable")

    monkeypatch.setattr(sweep, "sweep", failing)
    with pytest.raises(RuntimeError, match="daily-sweep"):
        app.today(D(2026, 11, 23)).fire("daily_sweep")
    assert _state("timer-last-run:daily-sweep") is None
    monkeypatch.setattr(sweep, "sweep", real_sweep)
    app.today(D(2026, 11, 24)).fire("daily_sweep", past_due=True)
    assert _state("timer-last-run:daily-sweep") == "2026-11-24"


def test_the_subscription_timer_creates_a_webhook_on_each_watched_list_once(
    app: App, public_webhook: str
) -> None:
    app.today(D(2026, 11, 23)).fire("renew_subscriptions")
    app.today(D(2026, 11, 24)).fire("renew_subscriptions")
    for list_name in WATCHED:
        (notification,) = app.sharepoint.notifications_for(list_name)
        assert notification["value"][0]["clientState"] == CLIENT_STATE
        subscription = next(iter(app.sharepoint.lists[list_name].subscriptions.values()))
        assert subscription["notificationUrl"] == public_webhook


def test_a_webhook_within_five_days_of_expiry_is_renewed_and_a_later_one_is_left(
    app: App, public_webhook: str
) -> None:
    monday = D(2026, 11, 23)
    app.today(monday).fire("renew_subscriptions")
    first, second, *_others = (next(iter(app.sharepoint.lists[n].subscriptions.values())) for n in WATCHED)
    first["expirationDateTime"] = "2026-11-26T00:00:00Z"  # 3 days left
    second["expirationDateTime"] = "2027-01-20T00:00:00Z"  # weeks left
    app.today(D(2026, 11, 24)).fire("renew_subscriptions")
    assert first["expirationDateTime"].startswith("2027-02-22")  # 90 days on
    assert second["expirationDateTime"] == "2027-01-20T00:00:00Z"


def test_before_a_long_break_a_webhook_that_would_expire_during_it_is_renewed(
    app: App, public_webhook: str
) -> None:
    # Thursday 24 December: the next working day is Tuesday 29th (Christmas, Boxing Day
    # substitute, weekend), so a webhook expiring on the 2 January must be renewed now.
    app.today(D(2026, 12, 22)).fire("renew_subscriptions")
    first = next(iter(app.sharepoint.lists[WATCHED[0]].subscriptions.values()))
    first["expirationDateTime"] = "2027-01-02T12:00:00Z"
    app.today(D(2026, 12, 24)).fire("renew_subscriptions")
    assert first["expirationDateTime"] != "2027-01-02T12:00:00Z"


def test_report_periods_are_the_month_and_quarter_before_the_run() -> None:
    assert previous_month(FIRST_WORKING_DAY_OF_DECEMBER) == "2026-11"
    assert previous_month(FIRST_WORKING_DAY_OF_JANUARY) == "2026-12"
    assert previous_quarter(D(2026, 10, 1)) == "2026-Q3"
    assert previous_quarter(FIRST_WORKING_DAY_OF_JANUARY) == "2026-Q4"


def test_the_quarterly_job_is_due_on_the_first_working_day_of_each_quarter_only() -> None:
    job = TimerJob("quarterly-report", Cadence.FIRST_WORKING_DAY_OF_QUARTER)
    days = due_days(job, DEADLINES.calendar, D(2027, 4, 30), D(2026, 9, 30))
    assert days == [D(2026, 10, 1), FIRST_WORKING_DAY_OF_JANUARY, D(2027, 4, 1)]


def test_a_job_never_run_before_does_not_replay_history() -> None:
    job = TimerJob("monthly-kickoff", Cadence.FIRST_WORKING_DAY_OF_MONTH)
    assert due_days(job, DEADLINES.calendar, D(2026, 12, 3), None) == [FIRST_WORKING_DAY_OF_DECEMBER]


# --- reports (shared.services.reports.publish) --------------------------------------------------------


def _reports(app: App) -> list[str]:
    from shared.core.list_titles import REPORTS_LIBRARY

    items = (
        app.sharepoint.lists[REPORTS_LIBRARY].items.values()
        if REPORTS_LIBRARY in app.sharepoint.lists
        else []
    )
    return sorted(str(i.values.get("FileLeafRef")) for i in items)


def test_the_monthly_reports_publish_last_months_highlights_and_bulletin_once(app: App) -> None:
    app.today(FIRST_WORKING_DAY_OF_DECEMBER).fire("monthly_reports")
    app.today(FIRST_WORKING_DAY_OF_DECEMBER).fire("monthly_reports")
    published = _reports(app)
    assert len(published) == 4, published  # two reports, each with its data pack
    assert all("2026-11" in name for name in published)
    assert _state("timer-last-run:highlights-report") == "2026-12-01"
    assert _state("timer-last-run:learning-bulletin") == "2026-12-01"


def test_the_quarterly_report_publishes_the_quarter_just_ended(app: App) -> None:
    app.today(FIRST_WORKING_DAY_OF_JANUARY).fire("quarterly_report")
    published = _reports(app)
    assert published
    assert all("2026-Q4" in name for name in published), published


def test_report_jobs_call_publish_report_with_kind_and_period(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.services.reports.publish as publish

    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(
        publish, "publish_report", lambda services, kind, period, **kw: calls.append((kind, period))
    )
    app.today(FIRST_WORKING_DAY_OF_JANUARY).fire("monthly_reports")
    app.today(FIRST_WORKING_DAY_OF_JANUARY).fire("quarterly_report")
    assert calls == [("highlights", "2026-12"), ("bulletin", "2026-12"), ("quarterly", "2026-Q4")]
