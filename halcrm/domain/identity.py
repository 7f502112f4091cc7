"""Identity rules: email normalisation, free-mail domains, placeholder keys, user_hash HMAC."""

from __future__ import annotations

import hashlib
import hmac
from importlib.resources import files

from email_validator import EmailNotValidError, validate_email

from halcrm.domain.errors import InvalidRequest

# The large consumer mailbox providers: an address here says nothing about an employer, so its
# contact gets a placeholder company of its own instead of one shared by the whole domain.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    line.strip()
    for line in files(__package__).joinpath("free_mail_domains.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)


def normalize_email(raw: str) -> str:
    """Validates an address (syntax only, no DNS) and returns it lower-cased.

    Addresses are matched case-insensitively, so the stored form is the folded one.
    """
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidRequest(f"email is not a valid address: {exc}", field="email") from exc
    return checked.normalized.lower()


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[1]


def is_free_mail(email: str) -> bool:
    return email_domain(email) in FREE_MAIL_DOMAINS


def user_hash(secret: str, visitor_id: str) -> str:
    """The lowercase hex HMAC-SHA256 of ``visitor_id`` keyed with the project's secret."""
    return hmac.new(secret.encode(), visitor_id.encode(), hashlib.sha256).hexdigest()


def verify_user_hash(secret: str, visitor_id: str, given: str | None) -> bool:
    """Checks a client's ``user_hash`` in constant time.

    Compared as bytes: ``compare_digest`` refuses non-ASCII ``str`` with a TypeError, and a
    hash that is not ASCII hex is simply wrong.
    """
    if not given:
        return False
    return hmac.compare_digest(
        user_hash(secret, visitor_id).encode(), given.strip().lower().encode("utf-8", "replace")
    )


def tokens_match(expected: str, given: str | None) -> bool:
    """Compares credentials in constant time (as UTF-8 bytes, so any text compares)."""
    if not given:
        return False
    return hmac.compare_digest(
        expected.encode("utf-8", "replace"), given.encode("utf-8", "replace")
    )
