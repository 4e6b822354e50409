"""The import pages: upload a spreadsheet, preview what it does row by row, confirm it once."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from planner.domain.clock import today
from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.imports.applying import apply_import
from planner.imports.columns import COLUMNS, KIND_NAMES, ImportKind
from planner.imports.forms import UploadForm
from planner.imports.pending import claim, keep, replan, settle
from planner.imports.plan import Action, ImportPlan
from planner.imports.problems import Problem
from planner.imports.reading import FileRefused
from planner.imports.records import RECORD_SHEETS
from planner.imports.services import Limits, Prepared, prepare
from planner.models import PendingImport
from planner.models.access import record_view
from planner.models.policy import load_policy
from planner.web.faults import commit_view_line
from planner.web.forms import ConfirmForm
from planner.web.listing import PER_PAGE, ListPagination, page_number
from planner.web.reach import current_reach
from planner.web.security import role_required
from planner.web.spreadsheets import FileFormat, download
from planner.web.text import hidden_character, tidy

blueprint = Blueprint("imports", __name__, url_prefix="/imports")

# Problems listed on the page; the rest are counted (a file of 20,000 bad rows is one mistake).
PROBLEMS_SHOWN = 100
# Where the records of each kind are listed, once imported.
LISTS = {
    ImportKind.STAFF: "staff.index",
    ImportKind.CASES: "cases.index",
    ImportKind.ABSENCES: "staff.index",
    ImportKind.REDUCTIONS: "staff.index",
    ImportKind.NEEDS: "cases.index",
}


def limits() -> Limits:
    """How large a file may be, from the configuration."""
    config = current_app.config
    return Limits(config["IMPORT_MAX_BYTES"], config["IMPORT_MAX_ROWS"])


def _page(form: UploadForm, problems: list[Problem] | None = None) -> str:
    """The upload page, with the file's problems listed by row and column if it had any."""
    problems = problems or []
    shown = problems[:PROBLEMS_SHOWN]
    if problems:
        count = len(problems)
        form.file.errors = [
            f"The file has {count:,} problem{'' if count == 1 else 's'}: nothing has been imported"
        ]
        form.problems = {f"problem-{n}": _summary_line(p) for n, p in enumerate(shown, start=1)}
        if count > PROBLEMS_SHOWN:
            form.problems["problems"] = (
                f"And {count - PROBLEMS_SHOWN:,} more problems: {count:,} in all"
            )
    return render_template(
        "imports/upload.html",
        form=form,
        problems=shown,
        total_problems=len(problems),
        columns=COLUMNS,
        kinds=KIND_NAMES,
        formats=list(FileFormat),
    )


def _summary_line(problem: Problem) -> str:
    """A problem as the error summary lists it."""
    return f"Row {problem.row}, column {problem.column}: {problem.message}"


@blueprint.route("/", methods=["GET", "POST"])
@role_required(UserRole.MANAGER)
def upload() -> ResponseReturnValue:
    """Choose what the file holds and upload it; a good file is kept and previewed."""
    # A request larger than MAX_CONTENT_LENGTH is refused before it gets here (413, in words).
    form = UploadForm()
    if request.method == "GET" and request.args.get("kind") in set(ImportKind):
        form.kind.data = request.args["kind"]
    if not form.validate_on_submit():
        return _page(form)
    kind = ImportKind(form.kind.data)
    content = form.file.data.read()
    filename = _filename(form.file.data.filename)
    try:
        prepared = _prepare(kind, content, filename)
    except FileRefused as refusal:
        form.file.errors = [str(refusal)]
        return _page(form)
    if prepared.problems:
        return _page(form, prepared.problems)
    pending = keep(db.session, current_user.id, prepared, content)
    db.session.commit()
    return redirect(url_for("imports.preview", pending_id=pending.id))


def _filename(name: str | None) -> str:
    """The file's name as the audit log records it: tidied, without hidden characters."""
    text = tidy(name or "") or "upload"
    return "upload" if hidden_character(text) else text.rsplit("/", 1)[-1][-200:]


def _prepare(kind: ImportKind, content: bytes, filename: str) -> Prepared:
    """The file checked and planned for the signed-in user's regions."""
    policy = load_policy(db.session)
    return prepare(db.session, kind, content, filename, current_reach(), policy, limits())


def _pending_or_404(pending_id: int, imported: bool = False) -> PendingImport:
    """The signed-in user's own upload (not yet imported, unless asked), or 404."""
    pending = db.session.get(PendingImport, pending_id)
    if pending is None or pending.user_id != current_user.id:
        abort(404)
    if pending.imported_at is not None and not imported:
        abort(404)
    return pending


@blueprint.route("/<int:pending_id>")
@role_required(UserRole.MANAGER)
def preview(pending_id: int) -> ResponseReturnValue:
    """What the file will do, row by row and page by page, with the totals and Confirm."""
    pending = _pending_or_404(pending_id)
    plan = ImportPlan.from_json(pending.plan)
    page = ListPagination(
        page=page_number(request.args), per_page=PER_PAGE, error_out=False, items=plan.rows
    )
    changing = plan.total(Action.CREATE) + plan.total(Action.UPDATE)
    drawn = render_template(
        "imports/preview.html",
        pending=pending,
        plan=plan,
        page=page,
        kind_name=KIND_NAMES[plan.kind],
        confirm=ConfirmForm(f"Import {changing:,} row{'' if changing == 1 else 's'}"),
        changing=changing,
        Action=Action,
    )
    return drawn, 404 if page.page > max(page.pages, 1) else 200


@blueprint.route("/<int:pending_id>/confirm", methods=["POST"])
@role_required(UserRole.MANAGER)
def confirm(pending_id: int) -> ResponseReturnValue:
    """Import the previewed file, once, if the records are still as the preview showed them."""
    pending = _pending_or_404(pending_id, imported=True)
    kind = ImportKind(pending.kind)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("imports.preview", pending_id=pending.id))
    # A second click (or a second tab) finds the upload claimed by the first: it imports once.
    if pending.imported_at is not None or not claim(db.session, pending):
        db.session.rollback()
        flash("This file has been imported already.", "success")
        return redirect(url_for(LISTS[kind]))
    try:
        prepared = _prepare(kind, pending.content, pending.filename)
    except FileRefused as refusal:
        db.session.rollback()
        return _refused_now(kind, [], str(refusal))
    if prepared.problems or prepared.plan is None:
        db.session.rollback()
        return _refused_now(kind, prepared.problems)
    if prepared.plan.fingerprint() != pending.fingerprint:
        db.session.rollback()
        pending = _pending_or_404(pending_id)
        replan(pending, prepared.plan)
        db.session.commit()
        flash(
            "The records have changed since you previewed this file. Check what it will do "
            "now, and confirm again.",
            "important",
        )
        return redirect(url_for("imports.preview", pending_id=pending.id))
    policy = load_policy(db.session)
    apply_import(db.session, prepared, policy, today(), current_user.username, current_user.id)
    settle(pending)
    db.session.commit()
    flash(f"Imported {pending.filename}: {prepared.plan.in_words()}.", "success")
    return redirect(url_for(LISTS[kind]))


def _refused_now(kind: ImportKind, problems: list[Problem], refusal: str = "") -> str:
    """The upload page with the problems the file has now that the records have changed."""
    form = UploadForm(formdata=None)
    form.kind.data = kind.value
    if refusal:
        form.file.errors = [refusal]
    return _page(form, problems)


@blueprint.route("/records/<record_kind>.<file_format>")
@role_required(UserRole.MANAGER)
def records(record_kind: str, file_format: str) -> ResponseReturnValue:
    """The current records of a kind in its import columns, as CSV or XLSX (audited)."""
    if record_kind not in set(ImportKind) or file_format not in set(FileFormat):
        abort(404)
    kind, chosen = ImportKind(record_kind), FileFormat(file_format)
    response = download(RECORD_SHEETS[kind](current_reach()), chosen, kind.value)
    summary = f"Exported the {kind.value} records as {chosen.value.upper()}"
    record_view(db.session, current_user.username, current_user.id, "export", kind.value, summary)
    commit_view_line(db.session, "export")
    return response
