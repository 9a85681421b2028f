"""Timers. Each fires every day at a set UTC time; whether its job is due (working days, first
working day of the month or quarter, missed runs) is decided in :mod:`shared.entry.functions.schedule`."""

from __future__ import annotations

import azure.functions as func

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions 1.x is partly untyped

# Six-field NCRONTAB, UTC (Flex Consumption on Linux has no WEBSITE_TIME_ZONE). Before the
# working day in UK time, summer or winter; the jobs are spaced so each has the instance alone.
SUBSCRIPTIONS_AT = "0 0 5 * * *"
KICKOFF_AT = "0 15 5 * * *"
REPORTS_AT = "0 30 5 * * *"
QUARTERLY_AT = "0 45 5 * * *"  # after the monthly reports: the two never share an instance's memory
SWEEP_AT = "0 0 6 * * *"


def _run(names: tuple[str, ...], timer: func.TimerRequest, context: func.Context) -> None:
    from shared.entry.functions.jobs import run_timer_jobs

    run_timer_jobs(names, context.invocation_id, timer.past_due)


@bp.function_name("daily_sweep")
@bp.timer_trigger(arg_name="timer", schedule=SWEEP_AT, use_monitor=True)
def daily_sweep(timer: func.TimerRequest, context: func.Context) -> None:
    _run(("daily-sweep",), timer, context)


@bp.function_name("monthly_kickoff")
@bp.timer_trigger(arg_name="timer", schedule=KICKOFF_AT, use_monitor=True)
def monthly_kickoff(timer: func.TimerRequest, context: func.Context) -> None:
    _run(("monthly-kickoff",), timer, context)


@bp.function_name("monthly_reports")
@bp.timer_trigger(arg_name="timer", schedule=REPORTS_AT, use_monitor=True)
def monthly_reports(timer: func.TimerRequest, context: func.Context) -> None:
    _run(("highlights-report", "learning-bulletin"), timer, context)


@bp.function_name("quarterly_report")
@bp.timer_trigger(arg_name="timer", schedule=QUARTERLY_AT, use_monitor=True)
def quarterly_report(timer: func.TimerRequest, context: func.Context) -> None:
    _run(("quarterly-report",), timer, context)


@bp.function_name("renew_subscriptions")
@bp.timer_trigger(arg_name="timer", schedule=SUBSCRIPTIONS_AT, use_monitor=True)
def renew_subscriptions(timer: func.TimerRequest, context: func.Context) -> None:
    _run(("webhook-subscriptions",), timer, context)
