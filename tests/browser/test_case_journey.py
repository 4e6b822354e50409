"""A manager adds a custody case, sees what the rules derive, and corrects a mistake."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.journeys import expect_error_summary, serious_accessibility_violations, sign_in


def fill_date(page: Page, field: str, day: str, month: str, year: str) -> None:
    """Type a date into GOV.UK's three boxes."""
    page.locator(f"#{field}-day").fill(day)
    page.locator(f"#{field}-month").fill(month)
    page.locator(f"#{field}-year").fill(year)


def test_add_a_custody_case_and_see_its_needs_and_handover(page: Page, site: str) -> None:
    sign_in(page, site)
    page.get_by_role("link", name="Cases", exact=True).click()
    expect(page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    assert serious_accessibility_violations(page) == []

    page.get_by_role("button", name="Add a case").click()
    page.get_by_label("Case reference").fill("CT-LDN-7001")
    page.get_by_label("Name").fill("Sorrel Trialby")
    page.get_by_label("Cohort").select_option("TACT")
    page.get_by_label("Risk of serious harm (RoSH)").select_option("high")
    page.get_by_label("Tier").select_option("A1")
    page.get_by_label("MAPPA category").select_option("4")
    page.get_by_label("MAPPA level").select_option("2")
    page.get_by_label("Custody").check()
    page.get_by_label("Prison or probation office").select_option(
        label="HMP Belmarsh (HMP-BELMARSH, London)"
    )
    page.get_by_label("Sentence", exact=True).select_option("determinate")
    fill_date(page, "sentence_date", "3", "2", "2023")
    # The release date is left out: the form must say so, and keep everything typed.
    page.get_by_role("button", name="Save case").click()

    summary = expect_error_summary(
        page,
        "Add a case",
        "Enter the release date (CRD or ARD)",
        (page.get_by_label("Name"), "Sorrel Trialby"),
        (page.locator("#sentence_date-year"), "2023"),
    )

    summary.get_by_role("link", name="Enter the release date (CRD or ARD)").click()
    fill_date(page, "release_date", "15", "9", "2029")
    page.get_by_role("button", name="Save case").click()

    expect(page.get_by_text("Case CT-LDN-7001 added, with 1 need from the rules.")).to_be_visible()
    expect(page.get_by_role("heading", name="Sorrel Trialby")).to_be_visible()
    # Early allocation (TACT): the COM is responsible 15 months before release, allocated 8
    # weeks before that.
    dates = page.locator(".govuk-summary-list__row")
    expect(dates.filter(has_text="Release date (CRD or ARD)")).to_contain_text("15 September 2029")
    expect(dates.filter(has_text="Handover: COM responsible from")).to_contain_text("15 June 2028")
    expect(dates.filter(has_text="COM allocated from")).to_contain_text("20 April 2028")
    needs = page.get_by_role("table").filter(has_text="Hours a week")
    expect(needs.get_by_role("row")).to_have_count(2)
    expect(needs).to_contain_text("PO or above, vetted SC, CT trained, at HMP-BELMARSH")
    expect(needs).to_contain_text("Nobody")
    assert serious_accessibility_violations(page) == []
