"""The password rule, one for every way a password is set: the admin form, the CLI, self-service.

Long enough, short enough to type into the sign-in form, and not one of the passwords attackers try
first (the 30,000 most common passwords of public breaches, as shipped with zxcvbn).
"""
from __future__ import annotations

import unicodedata
from functools import cache

MIN_LENGTH = 10
MAX_LENGTH = 200  # the sign-in form's limit: a longer password could be set but never typed in


class WeakPassword(ValueError):
    """The password breaks the rule; the message says how, in words for the person choosing it."""


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password(password: str, email: str = "") -> None:
    """Raises WeakPassword when `password` may not be used (for the account `email`, when given)."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"The password must be at least {MIN_LENGTH} characters long.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"The password must be at most {MAX_LENGTH} characters long.")
    if any(unicodedata.category(character) == "Cc" for character in password):
        # A browser's password field cannot take a tab, a line break or a NUL: nobody could sign in with it.
        raise WeakPassword("The password cannot contain tabs, line breaks or other control characters.")
    folded = password.strip().casefold()
    own = {email.strip().casefold(), email.strip().casefold().split("@", 1)[0]} - {""}
    if folded in _common_passwords() or folded in own or len(set(folded)) <= 2:
        raise WeakPassword("This password is too easy to guess: it is a common password, your email, or one "
                           "or two characters repeated. Choose another, for example a few unrelated words.")
