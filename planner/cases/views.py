"""The cases pages: the list, a case in full, and the forms that change it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.alerting.services import check_case_dates, dates_week
from planner.cases import services
from planner.cases.access import named_users, set_access, users_who_see
from planner.cases.forms import (
    AccessForm,
    CaseFilterForm,
    CaseForm,
    ExclusionForm,
    NeedForm,
    PinForm,
)
from planner.cases.history import history_lines
from planner.cases.queries import (
    VIEWS_SHOWN,
    case_list,
    case_record,
    case_view_count,
    case_views,
    excludable_staff,
)
from planner.domain.clock import today
from planner.domain.rules import responsibility_state
from planner.domain.vocabulary import NeedSource, UserRole
from planner.extensions import db
from planner.models import Allocation, Case, Exclusion, Need
from planner.models.access import record_view
from planner.models.policy import load_policy
from planner.models.versions import EditConflict, saving_at
from planner.web.conflicts import conflict, last_change, last_change_to_needs
from planner.web.faults import commit_view_line
from planner.web.forms import ConfirmForm, VersionedConfirmForm
from planner.web.listing import chosen_filters, page_status, regions, sites
from planner.web.reach import case_or_404, current_reach
from planner.web.security import role_required

blueprint = Blueprint("cases", __name__, url_prefix="/cases")


def _case_form(case: Case | None = None, opened: bool = False) -> CaseForm:
    """The case form with this installation's sites and tiers: as sent, or as it opens now."""
    tiers = list(load_policy(db.session).workload_points)
    # Opened: drawn from the record alone, whatever the request sent (to compare with it).
    sent: dict[str, Any] = {"formdata": None} if opened else {}
    form = CaseForm(
        obj=case,
        sites=sites(db.session, current_reach()),
        tiers=tiers,
        case_id=case.id if case else None,
        **sent,
    )
    if case is not None and (opened or request.method == "GET"):
        form.site.data = str(case.site_id)
        form.mappa_category.data = str(case.mappa_category or "")
        form.mappa_level.data = str(case.mappa_level or "")
    return form


def _get_case(case_id: int) -> Case:
    """The case, if the user may open it, or 404."""
    return case_or_404(case_id)


def _get_need(case: Case, need_id: int) -> Need:
    """A need of this case, or 404."""
    need = db.session.get(Need, need_id)
    if need is None or need.case_id != case.id:
        abort(404)
    return need


@blueprint.route("/")
def index() -> ResponseReturnValue:
    """Cases, filtered, sorted and a page at a time, with how many needs are held."""
    filters = CaseFilterForm(
        request.args,
        regions=regions(db.session, current_reach()),
        sites=sites(db.session, current_reach()),
    )
    chosen = chosen_filters(filters)
    on, policy = today(), load_policy(db.session)
    page, sort, direction = case_list(db.session, chosen, request.args, on, current_reach())
    drawn = render_template(
        "cases/index.html",
        filters=filters,
        page=page,
        sort=sort,
        direction=direction,
        state_of=lambda case: responsibility_state(case, on, policy),
    )
    return drawn, page_status(page)


@blueprint.route("/<int:case_id>")
def show(case_id: int) -> ResponseReturnValue:
    """One case: its facts, dates, needs and holders, exclusions, alerts and history."""
    record = case_record(db.session, case_id, load_policy(db.session), today(), current_reach())
    if record is None:
        abort(404)
    page = render_template(
        "cases/show.html",
        record=record,
        case=record.case,
        history_lines=history_lines(db.session, record.history),
    )
    # Written after the page is drawn: committing first would expire everything it reads.
    record_view(db.session, current_user.username, current_user.id, "case", case_id,
                f"Opened case {record.case.reference}")  # fmt: skip
    commit_view_line(db.session, "case")
    return page


@blueprint.route("/<int:case_id>/views")
@role_required(UserRole.ADMIN)
def views(case_id: int) -> ResponseReturnValue:
    """Who has opened a case, and when: the latest first."""
    case = _get_case(case_id)
    return render_template(
        "cases/views.html",
        case=case,
        views=case_views(db.session, case.id, VIEWS_SHOWN),
        total=case_view_count(db.session, case.id),
    )


@blueprint.route("/new", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def create() -> ResponseReturnValue:
    """Add a case; its needs are derived by the rules."""
    form = _case_form()
    if form.validate_on_submit():
        case = Case(active=True)
        _save(case, form)
        count = len(case.needs)
        flash(
            f"Case {case.reference} added, with {count} need{'' if count == 1 else 's'} "
            "from the rules.",
            "success",
        )
        return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/form.html", form=form, case=None)


@blueprint.route("/<int:case_id>/edit", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def edit(case_id: int) -> ResponseReturnValue:
    """Change a case's facts; derived needs follow, needs a manager set stay."""
    case = _get_case(case_id)
    form = _case_form(case)
    if form.validate_on_submit():
        try:
            with saving_at(case, form.version.data):
                _save(case, form)
        except EditConflict:
            return _case_conflict(case_id, form)
        flash(f"Case {case.reference} saved.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/form.html", form=form, case=case)


def _case_conflict(case_id: int, yours: CaseForm) -> ResponseReturnValue:
    """The form again, kept as sent, with who saved the case first and their values beside."""
    db.session.rollback()
    case = _get_case(case_id)
    change, what = last_change(db.session, "case", case.id), "this case"
    if case.version == yours.version.data:
        # The case is as it was opened: the save lost a race on a need it derives again.
        change, what = last_change_to_needs(db.session, case.id), "a need of this case"
    found = conflict(change, what, _case_form(case, True), yours)
    # Saving again now means it: the form carries the version it has just been shown.
    yours.version.data = case.version
    return render_template("cases/form.html", form=yours, case=case, conflict=found), 409


def _save(case: Case, form: CaseForm) -> None:
    """Save a case and its derived needs, and check its dates at once."""
    policy = load_policy(db.session)
    services.save_case(db.session, case, form.details(), policy, today())
    check_case_dates(db.session, case, dates_week(db.session), policy)
    db.session.commit()


@blueprint.route("/<int:case_id>/needs/new", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def add_need(case_id: int) -> ResponseReturnValue:
    """Add a need the rules do not give."""
    case = _get_case(case_id)
    form = NeedForm(editing=False)
    if form.validate_on_submit():
        services.add_need(case, form.details(), current_user.username)
        db.session.commit()
        flash("Need added. It is kept when the case changes.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/need_form.html", form=form, case=case, need=None)


@blueprint.route("/<int:case_id>/needs/<int:need_id>/edit", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def edit_need(case_id: int, need_id: int) -> ResponseReturnValue:
    """Change a need; it becomes the manager's, kept when the case changes."""
    case = _get_case(case_id)
    need = _get_need(case, need_id)
    form = _need_form(need)
    if form.validate_on_submit():
        try:
            with saving_at(need, form.version.data):
                services.set_need(need, form.details(), current_user.username)
                db.session.commit()
        except EditConflict:
            return _need_conflict(case_id, need_id, form)
        flash("Need changed. It is kept when the case changes.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/need_form.html", form=form, case=case, need=need)


def _need_form(need: Need, opened: bool = False) -> NeedForm:
    """The form of a stored need: as sent, or as it opens now."""
    sent: dict[str, Any] = {"formdata": None} if opened else {}
    form = NeedForm(obj=need, editing=True, **sent)
    if opened or request.method == "GET":
        form.same_site.data = "yes" if need.same_site else "no"
        form.reason.data = ""
    return form


def _need_conflict(case_id: int, need_id: int, yours: NeedForm) -> ResponseReturnValue:
    """The need form again, kept as sent, with who saved the need first and their values."""
    db.session.rollback()
    case = _get_case(case_id)
    need = _get_need(case, need_id)
    # The reason is the manager's own words for their change, not a value stored to compare.
    theirs = _need_form(need, opened=True)
    change = last_change(db.session, "need", need.id)
    found = conflict(change, "this need", theirs, yours, skip={"reason"})
    yours.version.data = need.version
    page = render_template("cases/need_form.html", form=yours, case=case, need=need, conflict=found)
    return page, 409


@blueprint.route("/<int:case_id>/needs/<int:need_id>/restore", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def restore_need(case_id: int, need_id: int) -> ResponseReturnValue:
    """Give a manager's need back to the rules (or remove one the rules never gave)."""
    case = _get_case(case_id)
    need = _get_need(case, need_id)
    if need.source != NeedSource.MANAGER:
        abort(404)
    form = VersionedConfirmForm(obj=need)
    if form.validate_on_submit():
        try:
            with saving_at(need, form.version.data):
                services.restore_need(case, need, load_policy(db.session), today())
                db.session.commit()
        except EditConflict:
            return _restore_conflict(case_id, need_id, form)
        flash("The need follows the rules again.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/restore_need.html", form=form, case=case, need=need)


def _restore_conflict(
    case_id: int, need_id: int, form: VersionedConfirmForm
) -> ResponseReturnValue:
    """The question again, about the need as it is now, saying who changed it first."""
    db.session.rollback()
    case = _get_case(case_id)
    need = _get_need(case, need_id)
    found = conflict(last_change(db.session, "need", need.id), "this need")
    if need.source != NeedSource.MANAGER:
        # Handed back already: there is nothing left to confirm.
        flash(f"{found.message}: it follows the rules again.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    form.version.data = need.version
    page = render_template(
        "cases/restore_need.html", form=form, case=case, need=need, conflict=found
    )
    return page, 409


@blueprint.route("/<int:case_id>/exclusions/new", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def add_exclusion(case_id: int) -> ResponseReturnValue:
    """Name a practitioner who must not hold this case."""
    case = _get_case(case_id)
    form = ExclusionForm(staff=excludable_staff(db.session, case))
    if form.validate_on_submit():
        person = form.staff[form.staff_member.data]
        holds_now = services.exclude(case, person, form.reason.data)
        db.session.commit()
        message = f"{person.name} is excluded from {case.reference}."
        if holds_now:
            message += " They hold part of this case now: the next plan will move it."
        flash(message, "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/exclusion_form.html", form=form, case=case)


@blueprint.route("/<int:case_id>/exclusions/<int:exclusion_id>/remove", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def remove_exclusion(case_id: int, exclusion_id: int) -> ResponseReturnValue:
    """Lift an exclusion, after confirmation."""
    case = _get_case(case_id)
    exclusion = db.session.get(Exclusion, exclusion_id)
    if exclusion is None or exclusion.case_id != case.id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = exclusion.staff_member.name
        db.session.delete(exclusion)
        db.session.commit()
        flash(f"{name} may hold {case.reference} again.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/remove_exclusion.html", form=form, case=case, exclusion=exclusion)


@blueprint.route("/<int:case_id>/allocations/<int:allocation_id>/pin", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def pin(case_id: int, allocation_id: int) -> ResponseReturnValue:
    """Pin a holder to a need so that future plans keep them, or remove the pin."""
    case = _get_case(case_id)
    allocation = db.session.get(Allocation, allocation_id)
    if allocation is None or allocation.need.case_id != case.id:
        abort(404)
    form = PinForm()
    if form.validate_on_submit():
        services.set_pin(allocation, not allocation.pinned, form.reason.data, current_user.username)
        db.session.commit()
        state = "pinned to" if allocation.pinned else "no longer pinned to"
        flash(f"{allocation.staff_member.name} is {state} this need.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/pin.html", form=form, case=case, allocation=allocation)


@blueprint.route("/<int:case_id>/access", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def access(case_id: int) -> ResponseReturnValue:
    """Restrict a case to named users (a limited access case), or open it to its region."""
    case = _get_case(case_id)
    people = users_who_see(db.session, case)
    form = AccessForm([(user.id, user.username) for user in people])
    if request.method == "GET":
        form.restricted.data = "yes" if case.restricted else "no"
        form.users.data = [str(user.id) for user in named_users(db.session, case)]
    if form.validate_on_submit():
        restricted = form.restricted.data == "yes"
        set_access(db.session, case, restricted, form.named(), current_user.id)
        db.session.commit()
        words = "has limited access now" if restricted else "is open to everyone in its region"
        flash(f"Case {case.reference} {words}.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/access.html", form=form, case=case)
