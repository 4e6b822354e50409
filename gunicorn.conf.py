"""gunicorn's settings for the planner's web processes (read from the project's folder)."""

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Compile the templates before the process takes a request, not during its first ones."""
    from planner.web.templating import compile_templates

    worker.log.info("Compiled %d templates", compile_templates(worker.wsgi))
