"""Reading the planner's pages as a person does: text, summary lists and table rows."""

from __future__ import annotations

import re
from typing import Any


def text_of(html: str) -> str:
    """What a piece of HTML reads as, tags dropped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def summary(page: str) -> dict[str, str]:
    """The page's summary-list rows, each key to its value."""
    pairs = re.findall(
        r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*'
        r'<dd class="govuk-summary-list__value">(.*?)</dd>',
        page,
        re.S,
    )
    return {text_of(key): text_of(value) for key, value in pairs}


def body_rows(html: str) -> list[str]:
    """The rows of the first table body in the HTML, each as HTML."""
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[ >].*?</tr>", body, re.S)


def cells(row: str) -> list[str]:
    """The data cells of a table row, each as text."""
    return [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def opened_version(client: Any, path: str) -> str:
    """The version a form carries when it is opened, as a browser would send it back."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', page)
    assert found, f"no version on {path}"
    return found.group(1)
