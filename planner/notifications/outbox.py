"""Emails queued once each, sent by a job worker over SMTP, tried again, and audited."""

from __future__ import annotations

import logging
import smtplib
import socket

from flask import current_app
from flask_mailman import EmailMessage
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.extensions import db
from planner.jobs.queue import later
from planner.models import AuditEvent, Notification
from planner.models.notifications import FAILED, QUEUED, SENT
from planner.models.types import utcnow
from planner.notifications.messages import Message

log = logging.getLogger(__name__)
SENDER = "planner"


class NotSentYet(Exception):
    """The mail server could not take an email this time; the worker will try again."""


def mail_on() -> bool:
    """Whether the planner sends email at all (off unless configured)."""
    return bool(current_app.config["MAIL_ENABLED"])


def queue_email(
    session: Session,
    key: str,
    kind: str,
    address: str,
    message: Message,
    *,
    staff_member_id: int | None = None,
    user_id: int | None = None,
) -> Notification | None:
    """Record an email to send (not committed), unless mail is off or it was queued before."""
    if not mail_on() or session.scalar(select(Notification.id).where(Notification.key == key)):
        return None
    notification = Notification(
        key=key,
        kind=kind,
        address=address,
        subject=message.subject,
        body=message.body,
        staff_member_id=staff_member_id,
        user_id=user_id,
    )
    session.add(notification)
    return notification


def send_later(notifications: list[Notification | None]) -> None:
    """Hand committed emails to the job workers."""
    for notification in notifications:
        if notification is not None:
            later(deliver, notification.id)


def deliver(notification_id: int) -> None:
    """Send one queued email; raise NotSentYet (so the worker tries again) while it cannot."""
    session = db.session
    notification = session.get(Notification, notification_id)
    if notification is None or notification.status != QUEUED:
        return  # sent already (a retry after a success), or given up
    notification.attempts += 1
    try:
        EmailMessage(
            notification.subject,
            notification.body,
            current_app.config["MAIL_DEFAULT_SENDER"],
            [notification.address],
        ).send()
    except (OSError, smtplib.SMTPException) as error:
        notification.error = _in_words(error)
        if notification.attempts >= current_app.config["MAIL_RETRIES"] + 1:
            notification.status = FAILED
            _audit(session, notification, f"Could not send {notification.kind} email")
            session.commit()
            return
        session.commit()
        raise NotSentYet(notification.error) from None
    notification.status, notification.sent_at, notification.error = SENT, utcnow(), None
    _audit(session, notification, f"Sent {notification.kind} email")
    session.commit()


def _in_words(error: Exception) -> str:
    """Why the mail server did not take an email, without its whole reply."""
    if isinstance(error, ConnectionRefusedError | socket.timeout | TimeoutError):
        return "The mail server could not be reached."
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "The mail server refused the address."
    return f"The mail server did not take the email ({type(error).__name__})."


def _audit(session: Session, notification: Notification, what: str) -> None:
    """One line in the audit log: what was emailed to whom, never the address or the body."""
    to = (
        f"staff member {notification.staff_member_id}"
        if notification.staff_member_id
        else f"user {notification.user_id}"
    )
    session.add(
        AuditEvent(
            actor=SENDER,
            action="email",
            entity="email",
            entity_id=str(notification.id),
            staff_member_id=notification.staff_member_id,
            summary=f"{what} to {to}: {notification.subject}"[:300],
        )
    )
