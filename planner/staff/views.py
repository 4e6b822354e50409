"""The staff pages: the list, a person's page, their details and their absences."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.alerting.services import check_person_dates, dates_week
from planner.domain.clock import today
from planner.domain.vocabulary import UserRole
from planner.domain.weeks import IsoWeek
from planner.extensions import db
from planner.models import Absence, PlanRun, ProposedAssignment, StaffMember
from planner.models.access import record_view
from planner.models.policy import load_policy
from planner.models.versions import EditConflict, saving_at
from planner.plans.overrides import candidates
from planner.plans.queries import proposal_of
from planner.staff.comparison import MOST_COMPARED, compare
from planner.staff.forms import AbsenceForm, StaffFilterForm, StaffForm
from planner.staff.history import person_history
from planner.staff.profile import (
    absence_or_404,
    allocations_ahead,
    held_on_day,
    staff_member_or_404,
    weeks_ahead,
)
from planner.staff.queries import staff_list, vetting_tag
from planner.staff.services import (
    SKILLS,
    AbsenceDetails,
    add_absence,
    add_staff_member,
    languages_of,
    remove_absence,
    update_absence,
    update_staff_member,
)
from planner.web.addresses import database_id
from planner.web.conflicts import Conflict, conflict, last_change
from planner.web.faults import commit_view_line
from planner.web.forms import VersionedConfirmForm
from planner.web.listing import page_status, regions, sites
from planner.web.reach import current_reach, openable_cases
from planner.web.security import role_required

blueprint = Blueprint("staff", __name__, url_prefix="/staff")


@blueprint.route("/")
def index() -> ResponseReturnValue:
    """Practitioners with this week's hours and Workload %, filtered, sorted and paged."""
    policy = load_policy(db.session)
    filters = StaffFilterForm(
        request.args,
        regions(db.session, current_reach()),
        sites(db.session, current_reach()),
        policy,
    )
    on = today()
    week = IsoWeek.containing(on)
    listing = staff_list(
        db.session, filters.filters(), request.args, week, policy, on, current_reach()
    )
    page = render_template(
        "staff/index.html", filters=filters, listing=listing, policy=policy, week=week
    )
    return page, page_status(listing.page)


@blueprint.route("/<int:staff_id>")
def show(staff_id: int) -> ResponseReturnValue:
    """A person's facts, this week's load, their cases, absences, coming weeks and history."""
    person = staff_member_or_404(db.session, staff_id, current_reach())
    policy = load_policy(db.session)
    on = today()
    week = IsoWeek.containing(on)
    allocations = allocations_ahead(db.session, person, week)
    weeks = weeks_ahead(person, allocations, week, policy)
    held = held_on_day(allocations, on)
    page = render_template(
        "staff/show.html",
        person=person,
        policy=policy,
        today=on,
        vetting=vetting_tag(person.vetting_expiry, on, policy),
        skills=[SKILLS[skill] for skill in person.skills if skill in SKILLS],
        languages=[language.title() for language in languages_of(person.skills)],
        this_week=weeks[0],
        weeks=weeks,
        held=held,
        openable=openable_cases(item.case.id for item in held),
        history=person_history(db.session, person.id),
    )
    # Written after the page is drawn: committing first would expire everything it reads.
    record_view(db.session, current_user.username, current_user.id, "staff member", person.id,
                f"Opened staff member {person.staff_ref}")  # fmt: skip
    commit_view_line(db.session, "person")
    return page


@blueprint.route("/compare")
def compare_people() -> ResponseReturnValue:
    """Up to four people side by side; from a proposal's candidates, each can be chosen."""
    ids = [database_id(text) for text in request.args.getlist("person")]
    if None in ids:
        abort(404)
    chosen = list(dict.fromkeys(ids))  # the same person ticked twice is compared once
    problem = None
    if len(chosen) < 2:
        problem = "Choose at least two people to compare"
    elif len(chosen) > MOST_COMPARED:
        problem = f"Choose up to {MOST_COMPARED} people to compare"
    on = today()
    policy = load_policy(db.session)
    compared = [] if problem else compare(db.session, chosen, current_reach(), on, policy)
    proposal, choosable = _proposal_choices()
    return render_template(
        "staff/compare.html",
        compared=compared,
        problem=problem,
        policy=policy,
        today=on,
        proposal=proposal,
        choosable=choosable,
        skills=SKILLS,
    )


def _proposal_choices() -> tuple[ProposedAssignment | None, set[int]]:
    """The proposal the people are compared for, if any, and who of them may hold its need."""
    run_id = database_id(request.args.get("run"))
    proposal_id = database_id(request.args.get("proposal"))
    if run_id is None or proposal_id is None:
        return None, set()
    run = db.session.get(PlanRun, run_id)
    proposal = proposal_of(db.session, run, proposal_id, current_reach()) if run else None
    if proposal is None:
        abort(404)
    eligible = {c.staff.id for c in candidates(db.session, run, proposal) if c.eligible}
    return proposal, eligible


@blueprint.route("/new", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def new() -> ResponseReturnValue:
    """Record a new practitioner."""
    form = StaffForm(sites(db.session, current_reach()))
    if form.validate_on_submit():
        person = add_staff_member(db.session, form.details())
        db.session.commit()
        flash(f"{person.name} has been added.", "success")
        return redirect(url_for("staff.show", staff_id=person.id))
    return render_template("staff/staff_form.html", form=form, person=None)


@blueprint.route("/<int:staff_id>/edit", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def edit(staff_id: int) -> ResponseReturnValue:
    """Change a practitioner's details."""
    person = staff_member_or_404(db.session, staff_id, current_reach())
    form = StaffForm(sites(db.session, current_reach()), person)
    if form.validate_on_submit():
        try:
            with saving_at(person, form.version.data):
                update_staff_member(person, form.details())
                policy = load_policy(db.session)
                check_person_dates(db.session, person, dates_week(db.session), policy)
                db.session.commit()
        except EditConflict:
            return _person_conflict(staff_id, form)
        flash(f"{person.name}’s details have been saved.", "success")
        return redirect(url_for("staff.show", staff_id=person.id))
    return render_template("staff/staff_form.html", form=form, person=person)


def _person_conflict(staff_id: int, yours: StaffForm) -> ResponseReturnValue:
    """The form again, kept as sent, with who saved the person first and their values beside."""
    db.session.rollback()
    person = staff_member_or_404(db.session, staff_id, current_reach())
    theirs = StaffForm(sites(db.session, current_reach()), person, formdata=None)
    change = last_change(db.session, "staff member", person.id)
    found = conflict(change, "this person’s details", theirs, yours)
    # Saving again now means it: the form carries the version it has just been shown.
    yours.version.data = person.version
    page = render_template("staff/staff_form.html", form=yours, person=person, conflict=found)
    return page, 409


def _absence_page(
    person: StaffMember, form: AbsenceForm, editing: bool, found: Conflict | None = None
) -> str:
    """The absence form beside the person's hours in the coming weeks as they stand."""
    week = IsoWeek.containing(today())
    policy = load_policy(db.session)
    weeks = weeks_ahead(person, allocations_ahead(db.session, person, week), week, policy)
    return render_template(
        "staff/absence_form.html",
        form=form,
        person=person,
        editing=editing,
        weeks=weeks,
        policy=policy,
        conflict=found,
    )


@blueprint.route("/<int:staff_id>/absences/new", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def new_absence(staff_id: int) -> ResponseReturnValue:
    """Record an absence or a reduction of a person's hours."""
    person = staff_member_or_404(db.session, staff_id, current_reach())
    form = AbsenceForm(person.contracted_hours, None)
    if form.validate_on_submit():
        add_absence(person, form.details())
        db.session.commit()
        flash("The absence has been added. Their available hours are shown below.", "success")
        return redirect(url_for("staff.show", staff_id=person.id, _anchor="availability"))
    return _absence_page(person, form, editing=False)


@blueprint.route("/<int:staff_id>/absences/<int:absence_id>/edit", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def edit_absence(staff_id: int, absence_id: int) -> ResponseReturnValue:
    """Change an absence or a reduction."""
    person = staff_member_or_404(db.session, staff_id, current_reach())
    absence = absence_or_404(person, absence_id)
    form = AbsenceForm(person.contracted_hours, AbsenceDetails.of(absence), absence.version)
    if form.validate_on_submit():
        try:
            with saving_at(absence, form.version.data):
                update_absence(absence, form.details())
                db.session.commit()
        except EditConflict:
            return _absence_conflict(staff_id, absence_id, form)
        flash("The absence has been changed. Their available hours are shown below.", "success")
        return redirect(url_for("staff.show", staff_id=person.id, _anchor="availability"))
    return _absence_page(person, form, editing=True)


def _stored_absence(staff_id: int, absence_id: int) -> tuple[StaffMember, Absence]:
    """The person and their absence read again after a refused save (404 if it is gone)."""
    db.session.rollback()
    person = staff_member_or_404(db.session, staff_id, current_reach())
    return person, absence_or_404(person, absence_id)


def _absence_conflict(staff_id: int, absence_id: int, yours: AbsenceForm) -> ResponseReturnValue:
    """The absence form again, kept as sent, with who saved it first and their values beside."""
    person, absence = _stored_absence(staff_id, absence_id)
    theirs = AbsenceForm(person.contracted_hours, AbsenceDetails.of(absence), formdata=None)
    found = conflict(last_change(db.session, "absence", absence.id), "this absence", theirs, yours)
    yours.version.data = absence.version
    return _absence_page(person, yours, editing=True, found=found), 409


@blueprint.route("/<int:staff_id>/absences/<int:absence_id>/delete", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def delete_absence(staff_id: int, absence_id: int) -> ResponseReturnValue:
    """Ask before deleting an absence; delete it on confirmation."""
    person = staff_member_or_404(db.session, staff_id, current_reach())
    absence = absence_or_404(person, absence_id)
    confirm = VersionedConfirmForm("Yes, delete it", obj=absence)
    found = None
    if confirm.validate_on_submit():
        try:
            with saving_at(absence, confirm.version.data):
                remove_absence(db.session, absence)
                db.session.commit()
        except EditConflict:
            # Asked again, about the absence as it is now.
            person, absence = _stored_absence(staff_id, absence_id)
            found = conflict(last_change(db.session, "absence", absence.id), "this absence")
            confirm.version.data = absence.version
        else:
            flash("The absence has been deleted. Their available hours are shown below.", "success")
            return redirect(url_for("staff.show", staff_id=person.id, _anchor="availability"))
    page = render_template(
        "staff/delete_absence.html", person=person, absence=absence, confirm=confirm, conflict=found
    )
    return page, 409 if found else 200
