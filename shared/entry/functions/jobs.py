"""The timer jobs: what each timer does on the day it is due (see :mod:`shared.entry.functions.schedule`).

Reports are published through ``shared.services.reports.publish.publish_report``, imported only when a
report is due (it brings in docxtpl and matplotlib).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from shared.config import CLIENT_STATE_VARIABLE, WEBHOOK_URL_VARIABLE, secret, webhook_url
from shared.entry.functions.logs import log_event
from shared.entry.functions.schedule import (
    Cadence,
    TimerJob,
    TimerResult,
    previous_month,
    previous_quarter,
    run_if_due,
)
from shared.services.workflow.dependencies import Services


class JobConfigurationError(RuntimeError):
    """A setting the job needs is missing; the text names it."""


@dataclass(frozen=True, slots=True)
class Job:
    timer: TimerJob
    work: Callable[[Services, dt.date], object]


def _sweep(services: Services, day: dt.date) -> object:
    from shared.services.workflow.sweep import sweep
    from shared.services.workflow.unit_of_work import unit_of_work

    with unit_of_work(services) as run:
        return sweep(run)


def _kickoff(services: Services, day: dt.date) -> object:
    from shared.entry.functions.kickoff import send_monthly_kickoff

    return send_monthly_kickoff(services, day)


def _report(kind: str, period_of: Callable[[dt.date], str]) -> Callable[[Services, dt.date], object]:
    def publish(services: Services, day: dt.date) -> object:
        from shared.services.reports.publish import publish_report

        return publish_report(services, kind, period_of(day))

    return publish


def _subscriptions(services: Services, day: dt.date) -> object:
    from shared.entry.functions.subscriptions import keep_subscriptions, record_subscriptions
    from shared.services.workflow.changes import WATCHED

    url, client_state = webhook_url(), secret(CLIENT_STATE_VARIABLE)
    if not url or not client_state:
        raise JobConfigurationError(
            f"Set {WEBHOOK_URL_VARIABLE} (the webhook's public URL) and {CLIENT_STATE_VARIABLE} "
            "(a Key Vault reference to the shared secret) to keep SharePoint webhooks."
        )
    result = keep_subscriptions(
        services.store, WATCHED, url, client_state, services.deadlines.calendar, services.clock.now()
    )
    record_subscriptions(services.state, result)
    log_event(
        logging.INFO,
        "webhook subscriptions checked",
        created=result.created,
        renewed=result.renewed,
        kept=len(result.kept),
    )
    return result


JOBS: dict[str, Job] = {
    job.timer.name: job
    for job in (
        Job(TimerJob("daily-sweep", Cadence.EVERY_WORKING_DAY), _sweep),
        Job(TimerJob("monthly-kickoff", Cadence.FIRST_WORKING_DAY_OF_MONTH), _kickoff),
        Job(
            TimerJob("highlights-report", Cadence.FIRST_WORKING_DAY_OF_MONTH),
            _report("highlights", previous_month),
        ),
        Job(
            TimerJob("learning-bulletin", Cadence.FIRST_WORKING_DAY_OF_MONTH),
            _report("bulletin", previous_month),
        ),
        Job(
            TimerJob("quarterly-report", Cadence.FIRST_WORKING_DAY_OF_QUARTER),
            _report("quarterly", previous_quarter),
        ),
        Job(TimerJob("webhook-subscriptions", Cadence.EVERY_WORKING_DAY), _subscriptions),
    )
}


def run_timer_jobs(names: tuple[str, ...], invocation_id: str, past_due: bool) -> dict[str, TimerResult]:
    """Run each named job if it is due today (catching up missed days); one job failing does not
    stop the others, and the timer fails afterwards so the failure is seen."""
    from shared.entry.functions.wiring import open_services

    services = open_services()
    results: dict[str, TimerResult] = {}
    failed: list[str] = []
    try:
        today = services.clock.today()
        for name in names:
            job = JOBS[name]
            try:
                results[name] = run_if_due(
                    job.timer,
                    services.deadlines.calendar,
                    services.state,
                    today,
                    functools.partial(job.work, services),
                )
            except Exception as error:
                failed.append(name)
                log_event(
                    logging.ERROR,
                    "timer job failed; it runs again when the timer next fires",
                    job=name,
                    error_type=type(error).__name__,
                    invocation_id=invocation_id,
                )
                continue
            log_event(
                logging.INFO,
                "timer job checked",
                job=name,
                outcome=results[name].outcome.value,
                days_run=[d.isoformat() for d in results[name].days_run],
                past_due=past_due,
                invocation_id=invocation_id,
            )
    finally:
        services.close()
    if failed:
        raise RuntimeError(f"Timer job(s) failed: {', '.join(failed)} (see the logs for each).")
    return results
