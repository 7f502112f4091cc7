"""Identity rules: email normalisation, free-mail domains, placeholder keys, user_hash HMAC."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import ModuleType
from typing import Any

from halcrm.domain.errors import InvalidRequest

# The large consumer mailbox providers: an address here says nothing about an employer, so its
# contact gets a placeholder company of its own instead of one shared by the whole domain.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    line.strip()
    for line in files(__package__).joinpath("free_mail_domains.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)


_R_LDH = re.compile(r"(?:^|\.)(?!xn)..--")


@dataclass(frozen=True)
class _Validator:
    rfc: ModuleType
    # The special-use names, and their subdomains' suffixes: checked on every identify.
    special_names: frozenset[str]
    special_suffixes: tuple[str, ...]
    validate: Callable[..., Any]
    invalid: type[Exception]


@cache
def _validator() -> _Validator:
    """The email validator's patterns and limits, loaded on the first address to check: its
    import compiles dozens of patterns, a tenth of what ``halcrm serve`` imports, and a
    server answers its first request long before an identify brings an address."""
    import email_validator
    from email_validator import rfc_constants

    return _Validator(
        rfc=rfc_constants,
        special_names=frozenset(email_validator.SPECIAL_USE_DOMAIN_NAMES),
        special_suffixes=tuple("." + name for name in email_validator.SPECIAL_USE_DOMAIN_NAMES),
        validate=email_validator.validate_email,
        invalid=email_validator.EmailNotValidError,
    )


def _plain_ascii(address: str) -> str | None:
    """The folded form of an address that is plainly valid (ASCII dot-atoms, a dotted
    domain ending in a letter, no Punycode, within every length), checked with the
    validator's own patterns and limits; None for anything else, which the validator then
    judges. The validator spends most of its time on Unicode and IDNA rules that such an
    address never reaches, and a widget identify validates one per call."""
    checks = _validator()
    rfc = checks.rfc
    if len(address) > rfc.EMAIL_MAX_LENGTH or not address.isascii():
        return None
    local, at, domain = address.rpartition("@")
    if not at or len(local) > rfc.LOCAL_PART_MAX_LENGTH or len(domain) > rfc.DOMAIN_MAX_LENGTH:
        return None
    domain = domain.lower()
    if not rfc.DOT_ATOM_TEXT.match(local) or not rfc.DOT_ATOM_TEXT_HOSTNAME.match(domain):
        return None
    if "." not in domain or not domain[-1].isalpha() or "xn--" in domain:
        return None
    if _R_LDH.search(domain) or max(map(len, domain.split("."))) > rfc.DNS_LABEL_LENGTH_LIMIT:
        return None
    if domain in checks.special_names or domain.endswith(checks.special_suffixes):
        return None
    return f"{local}@{domain}".lower()


def normalize_email(raw: str) -> str:
    """Validates an address (syntax only, no DNS) and returns it lower-cased.

    Addresses are matched case-insensitively, so the stored form is the folded one.
    """
    plain = _plain_ascii(raw.strip())
    if plain is not None:
        return plain
    # Compatibility folding first: the Kelvin sign is a K, the Angstrom sign an Å, and one
    # address has one stored form whichever of them a client sent.
    folded = unicodedata.normalize("NFKC", raw).strip()
    validator = _validator()
    try:
        checked = validator.validate(folded, check_deliverability=False)
    except validator.invalid as exc:
        raise InvalidRequest(f"email is not a valid address: {exc}", field="email") from exc
    return checked.normalized.lower()


def differs_only_in_case(signed: str, normalized: str) -> bool:
    """Whether a signed address is the normalised one but for letter case (API.md: a hash
    proves the string it covers). Padding and every compatibility or composition variant
    (the Kelvin sign, an NFD accent) are more than case, though ``str.lower`` folds some of
    them onto plain letters."""
    if signed == normalized:
        return True
    return unicodedata.normalize("NFKC", signed) == signed and signed.lower() == normalized


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
