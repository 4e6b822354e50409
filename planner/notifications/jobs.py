"""Email as work for the job workers: each email sent, tried again; the schedule's emails."""

from __future__ import annotations

from planner.jobs.queue import every_minute, retried
from planner.notifications.outbox import deliver
from planner.notifications.triggers import emails_when_due


def register_notification_jobs() -> None:
    """Let workers send each email (trying again while the server refuses) and check the
    schedule's emails every minute."""
    retried(deliver)
    every_minute(emails_when_due)
