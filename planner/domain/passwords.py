"""The password policy: long, not easy to guess, and not the username, wherever one is set."""

from __future__ import annotations

import re
import threading

from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 12
# zxcvbn's scores run 0 to 4; 3 is "safely unguessable" (at least 10^8 guesses): it refuses
# common passwords, keyboard runs, repeats, dates and words with digits stuck on.
MIN_PASSWORD_SCORE = 3
# zxcvbn refuses to score longer passwords; more characters only make one harder to guess.
SCORED_LENGTH = 72
# Words anyone trying to guess a password for this service would try first.
SERVICE_WORDS = ("caseload", "planner", "probation", "hmpps", "offender", "counter", "terrorism")
NOT_LETTERS_OR_DIGITS = re.compile(r"[^0-9a-z]+")

TOO_SHORT = f"The password must be at least {MIN_PASSWORD_LENGTH} characters"
HOLDS_USERNAME = "The password must not contain the username"
TOO_EASY = "The password is too easy to guess: use 3 or more unrelated words"

# zxcvbn keeps the words it is given in a module-wide dictionary while it scores, so two
# threads of one server must not score at once.
_scoring = threading.Lock()


def password_problem(password: str, username: str) -> str | None:
    """What is wrong with a new password for this username, in words, or None if it will do."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return TOO_SHORT
    name = _folded(username)
    if len(name) >= 3 and name in _folded(password):
        return HOLDS_USERNAME
    if _score(password, username) < MIN_PASSWORD_SCORE:
        return TOO_EASY
    return None


def _folded(text: str) -> str:
    """Text in lower case with only its letters and digits: "Jo.Bloggs" is "jobloggs"."""
    return NOT_LETTERS_OR_DIGITS.sub("", text.lower())


def _score(password: str, username: str) -> int:
    """zxcvbn's score, knowing the username, its parts and the service's own words."""
    hints = [username, *re.split(r"[._-]+", username), *SERVICE_WORDS]
    with _scoring:
        return int(zxcvbn(password[:SCORED_LENGTH], user_inputs=hints)["score"])
