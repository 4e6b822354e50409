"""What typed text may hold: no hidden control or text-direction characters, tidied as typed.

Every text box of every form passes through these (planner/web/forms.py applies them to each
text field of a PlannerForm), so that a name can neither hide a NUL that PostgreSQL refuses nor
carry a right-to-left override that makes one person's name read as another's.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# C0 controls and DEL, C1 controls, and the bidi embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069) that reorder the text around them on screen.
_CONTROLS_BUT_LINES = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
HIDDEN_IN_LINE = re.compile(f"[\t\n\r{_CONTROLS_BUT_LINES}{_BIDI}]")
# Text of several lines keeps its tabs and line breaks.
HIDDEN_IN_LINES = re.compile(f"[{_CONTROLS_BUT_LINES}{_BIDI}]")
# The spaces a manager means nothing by at either end: Unicode's spaces, tabs and line breaks
# (not the other controls, which are refused rather than quietly dropped).
SURROUNDING_SPACE = (
    " \t\n\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
LINE_BREAKS = re.compile(r"\r\n?")


def tidy(value: Any) -> Any:
    """Text in one Unicode form (NFC), line breaks as typed in any browser, no spaces around it."""
    if not isinstance(value, str):
        return value
    value = LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", value))
    return value.strip(SURROUNDING_SPACE)


def hidden_character(value: Any, multiline: bool = False) -> str | None:
    """The first hidden character text holds, if any, as U+XXXX (for a test or a log)."""
    if not isinstance(value, str):
        return None
    found = (HIDDEN_IN_LINES if multiline else HIDDEN_IN_LINE).search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def hidden_message(label: str) -> str:
    """What to tell a person whose text holds a hidden character, usually from pasting."""
    return (
        f"{label} must not include hidden characters, such as control or text direction "
        "characters. Type it in rather than pasting it"
    )
