"""Password policy for local accounts.

Follows the CNIL recommendation on passwords (délibération n° 2022-100 du 21 juillet 2022,
https://www.cnil.fr/fr/mots-de-passe-une-nouvelle-recommandation-pour-maitriser-sa-securite):
with a password as the only factor and a lock-out after repeated failures, at least 12
characters mixing upper case, lower case, digits and special characters; a long passphrase
(≥ 20 characters here) is accepted without the character-class rule. The password must not
contain the user name.
"""

from __future__ import annotations

MIN_LENGTH = 12
PASSPHRASE_LENGTH = 20
MAX_LENGTH = 1024  # argon2 hashes anything, but a megabyte password is a denial of service


def problems(password: str, username: str = "") -> list[str]:
    """Why `password` is refused (empty list: acceptable)."""
    found: list[str] = []
    if len(password) > MAX_LENGTH:
        return [f"at most {MAX_LENGTH} characters"]
    if len(password) < MIN_LENGTH:
        found.append(f"at least {MIN_LENGTH} characters")
    elif len(password) < PASSPHRASE_LENGTH:
        classes = {
            "an upper-case letter": any(c.isupper() for c in password),
            "a lower-case letter": any(c.islower() for c in password),
            "a digit": any(c.isdigit() for c in password),
            "a special character": any(not c.isalnum() for c in password),
        }
        missing = [name for name, present in classes.items() if not present]
        if missing:
            found.append("below 20 characters it must contain " + ", ".join(missing))
    if username and username.casefold() in password.casefold():
        found.append("must not contain the user name")
    return found
