"""The search: a results page (a plain GET form, so it works without script) and the box's
suggestions as JSON. The query is never logged nor audited: it may be someone's name."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from planner.extensions import db
from planner.models import Case, StaffMember
from planner.search.forms import SearchForm
from planner.search.queries import best, matching_cases, matching_people, page_of
from planner.search.words import case_detail, case_place, found_words, person_detail, role_short
from planner.web.listing import page_number, page_status
from planner.web.reach import current_reach

blueprint = Blueprint("search", __name__, url_prefix="/search")

# How many of each kind the results page lists at once, and how many options the box offers.
PER_PAGE = 20
IN_THE_BOX = 10
# The results page shows both kinds, or one of them a page at a time.
KINDS = ("", "cases", "people")
NOTHING_ASKED = "Type a name, a case reference or a staff ID"


@blueprint.route("")
def results() -> ResponseReturnValue:
    """Cases and people matching the search, in two groups, or one group paged."""
    form = SearchForm(request.args)
    kind = request.args.get("kind", "")
    if kind not in KINDS:
        abort(404)
    page = page_number(request.args)
    if not kind and page != 1:
        abort(404)
    terms = form.terms()
    if terms is None:
        return render_template("search/results.html", form=form, kind=kind, found=None)
    reach = current_reach()
    found = best(db.session, terms, reach, PER_PAGE)
    listing = None
    if kind:
        query = matching_cases(terms, reach) if kind == "cases" else matching_people(terms, reach)
        listing = page_of(db.session, query, page, PER_PAGE)
    shown = render_template(
        "search/results.html",
        form=form,
        kind=kind,
        found=found,
        listing=listing,
        listed=[row[0] for row in listing.items] if listing else [],
        case_place=case_place,
        role_short=role_short,
    )
    return shown, page_status(listing) if listing else 200


@blueprint.route("/suggestions")
def suggestions() -> ResponseReturnValue:
    """The box's options as you type: the best few cases, then people, and what to announce."""
    form = SearchForm(request.args)
    terms = form.terms()
    if terms is None:
        message = form.q.errors[0] if form.q.errors else NOTHING_ASKED
        return jsonify(options=[], count=0, total=0, said=message)
    found = best(db.session, terms, current_reach(), IN_THE_BOX)
    people = found.people[: max(IN_THE_BOX - len(found.cases), IN_THE_BOX // 2)]
    cases = found.cases[: IN_THE_BOX - len(people)]
    options = [_case_option(case) for case in cases] + [_person_option(p) for p in people]
    return jsonify(
        options=options,
        count=len(options),
        total=found.total,
        said=found_words(found, len(options)),
        results=url_for("search.results", q=form.q.data),
    )


def _case_option(case: Case) -> dict[str, str]:
    """One case as the box offers it."""
    href = url_for("cases.show", case_id=case.id)
    return {"kind": "case", "text": case.name, "detail": case_detail(case), "href": href}


def _person_option(person: StaffMember) -> dict[str, str]:
    """One practitioner as the box offers it."""
    href = url_for("staff.show", staff_id=person.id)
    return {"kind": "person", "text": person.name, "detail": person_detail(person), "href": href}
