"""The search box: what was typed, tidied and checked like every other box of the planner."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from planner.search.queries import Terms
from planner.web.forms import PlannerForm

# Longer than any name or reference; anything longer is refused with a message, not searched.
LONGEST = 100


class SearchForm(PlannerForm):
    """A GET form (a search changes nothing), so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        "Search",
        widget=GovTextInput(),
        description="A name, a case reference or a staff ID",
        validators=[
            DataRequired(message="Enter a name, a case reference or a staff ID"),
            Length(max=LONGEST, message=f"Search for {LONGEST} characters or fewer"),
        ],
    )

    def __init__(self, args: MultiDict[str, str]) -> None:
        """The search as the query string gives it."""
        super().__init__(formdata=args)
        self.asked = "q" in args

    def terms(self) -> Terms | None:
        """What to search for, if something was asked and it may be searched for."""
        if not self.asked or not self.validate():
            return None
        return Terms.of(self.q.data)
