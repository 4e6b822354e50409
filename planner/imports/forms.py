"""The import page's form: what the file holds, and the file."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from planner.imports.columns import KIND_NAMES
from planner.web.forms import PlannerForm, choices, required_radios


class UploadForm(PlannerForm):
    """A spreadsheet to preview, and the kind of records it holds."""

    kind = required_radios(
        "What does the file hold?",
        choices([(kind.value, name) for kind, name in KIND_NAMES.items()]),
        "Select what the file holds",
    )
    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="A CSV file (UTF-8) or an Excel workbook (.xlsx), its first row naming "
        "the columns",
        validators=[FileRequired(message="Select a CSV or Excel file")],
    )
    submit = SubmitField("Preview the import", widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A file's problems by the anchor of each on the page, for the error summary.
        self.problems: dict[str, str] = {}

    @property
    def errors(self) -> dict[str, Any]:
        """The fields' errors, then each problem of the file, linked to its row of the table."""
        return {**super().errors, **{anchor: [text] for anchor, text in self.problems.items()}}
