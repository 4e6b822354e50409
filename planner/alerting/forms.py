"""The forms of the alerts area."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from planner.alerting.queries import STATUSES
from planner.domain.vocabulary import ALERT_KIND_NAMES, AlertSeverity
from planner.web.forms import GovSelectField, PlannerForm, choices, enum_choices, strip


class AlertFilterForm(PlannerForm):
    """The alerts page's filters, read from the query string."""

    class Meta:
        csrf = False

    severity = GovSelectField("Severity", choices=enum_choices(reversed(AlertSeverity), "Any"))
    kind = GovSelectField(
        "Kind", choices=choices(sorted(ALERT_KIND_NAMES.items(), key=lambda i: i[1]), "Any")
    )
    region = GovSelectField("Region")
    site = GovSelectField("Site")
    status = GovSelectField("Status", choices=choices(list(STATUSES.items())), default="open")

    def __init__(self, *args: Any, regions: list[Any], sites: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region.choices = choices([(str(r.id), r.name) for r in regions], "Any")
        self.site.choices = choices([(str(s.id), s.code) for s in sites], "Any")


class AcknowledgeForm(PlannerForm):
    """A manager's note that they have seen an alert and what is being done."""

    note = TextAreaField(
        "What is being done about it?",
        widget=GovTextArea(),
        filters=[strip],
        validators=[
            DataRequired(message="Enter a note saying what is being done"),
            Length(max=500),
        ],
    )
    submit = SubmitField("Acknowledge", widget=GovSubmitInput())
