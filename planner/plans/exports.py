"""The staffing ask as a spreadsheet: one row a person asked for, safe to open in Excel."""

from __future__ import annotations

import csv
import io
from typing import Any

from planner.domain.vocabulary import Vetting, label

# A cell a spreadsheet would read as a formula (or a control character it acts on).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADERS = (
    "Where",
    "Region",
    "Role",
    "Grade or above",
    "Vetting",
    "Skills",
    "Hours a week",
    "Full-time equivalent",
    "Cases covered",
)


def safe_cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet runs: a formula's first character is escaped."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def staffing_rows(
    places: list[dict[str, Any]], site_names: dict[str, str], full_time: float
) -> list[list[str]]:
    """Each person asked for, place by place, then the totals."""
    rows = []
    total = 0.0
    for place in places:
        for person in place["people"]:
            total += person["hours"]
            rows.append(
                [
                    site_names.get(person["site"], person["site"]),
                    place["place"] if place["role"] == "probation" else "",
                    "POM" if person["role"] == "prison" else "COM",
                    person["grade"],
                    label(Vetting(person["vetting"])),
                    ", ".join(label(skill) for skill in person["skills"]),
                    f"{person['hours']:g}",
                    f"{person['hours'] / full_time:.2f}",
                    " ".join(person["cases"]),
                ]
            )
    people = sum(len(place["people"]) for place in places)
    rows.append(
        ["Total", "", f"{people} people", "", "", "", f"{total:g}", f"{total / full_time:.2f}", ""]
    )
    return rows


def staffing_csv(places: list[dict[str, Any]], site_names: dict[str, str], full_time: float) -> str:
    """The staffing ask as CSV text, headers first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in staffing_rows(places, site_names, full_time):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
