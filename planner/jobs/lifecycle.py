"""A job's life: queued, claimed by one worker, running with a heartbeat, then ended once."""

from __future__ import annotations

import os
import socket
import threading
from datetime import timedelta
from types import TracebackType

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from planner.domain.vocabulary import ACTIVE, JobStatus
from planner.models.jobs import JobMixin
from planner.models.types import utcnow

HEARTBEAT_SECONDS = 5.0
# A running job whose heartbeat is older than this has lost its worker (killed, machine gone).
STALE_AFTER = timedelta(seconds=30)
LOST = "It stopped: the worker running it ended before it finished. Nothing of it was saved."


class JobCancelled(Exception):
    """A manager cancelled the job while it ran."""


class JobFailed(Exception):
    """A job that cannot go on, with the reason in words a manager can act on."""


def worker_name() -> str:
    """This process, as the job records it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(session: Session, model: type[JobMixin], job_id: int) -> bool:
    """Take a queued job for this worker; False if it was cancelled or another worker has it."""
    now = utcnow()
    taken = session.execute(
        update(model)
        .where(model.id == job_id, model.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            worker=worker_name(),
            progress="Starting",
        )
    )
    session.commit()
    return taken.rowcount == 1


def end(
    session: Session, model: type[JobMixin], job_id: int, status: JobStatus, message: str | None
) -> None:
    """Record how a running job ended (a failure or a cancellation), in its own transaction."""
    values = {"status": status, "finished_at": utcnow(), "progress": None}
    if message is not None:
        values["message"] = message[:2000]
    session.execute(
        update(model).where(model.id == job_id, model.status == JobStatus.RUNNING).values(values)
    )
    session.commit()


def report(engine: Engine, model: type[JobMixin], job_id: int, text: str) -> None:
    """Say what a job is doing now, at once, whatever transaction the job itself has open."""
    with engine.begin() as connection:
        connection.execute(update(model).where(model.id == job_id).values(progress=text[:200]))


def request_cancel(session: Session, job: JobMixin, who: str) -> None:
    """Cancel a job: at once if it is still queued, at its next step if it is running."""
    if job.status not in ACTIVE:
        return
    now = utcnow()
    job.message = f"Cancelled by {who}."
    if job.status == JobStatus.QUEUED:
        job.status, job.finished_at = JobStatus.CANCELLED, now
    else:
        job.cancel_requested_at = now


def fail_lost_jobs(
    session: Session, models: list[type[JobMixin]]
) -> list[tuple[type[JobMixin], int]]:
    """Fail the running jobs whose heartbeat has stopped; their week or run is free again.

    Returns the jobs failed, by model and id.
    """
    now = utcnow()
    failed = []
    for model in models:
        result = session.execute(
            update(model)
            .where(model.status == JobStatus.RUNNING, model.heartbeat_at < now - STALE_AFTER)
            .values(status=JobStatus.FAILED, finished_at=now, progress=None, message=LOST)
            .returning(model.id)
        )
        failed.extend((model, job_id) for job_id in result.scalars())
    session.commit()
    return failed


class Heartbeat:
    """While a job runs, write its heartbeat every few seconds and watch for a cancellation."""

    def __init__(self, engine: Engine, model: type[JobMixin], job_id: int) -> None:
        """Beat for this job, on connections of its own."""
        self.engine, self.model, self.job_id = engine, model, job_id
        self.cancelled = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        """Start beating."""
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop beating."""
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        """Every few seconds: say the job is alive; stop it if it was cancelled or failed."""
        model = self.model
        while not self._stop.wait(HEARTBEAT_SECONDS):
            with self.engine.begin() as connection:
                connection.execute(
                    update(model)
                    .where(model.id == self.job_id, model.status == JobStatus.RUNNING)
                    .values(heartbeat_at=utcnow())
                )
                status, cancel = connection.execute(
                    select(model.status, model.cancel_requested_at).where(model.id == self.job_id)
                ).one()
            if cancel is not None or status != JobStatus.RUNNING:
                self.cancelled.set()
