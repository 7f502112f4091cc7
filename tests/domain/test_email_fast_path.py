"""The fast path of ``normalize_email`` never disagrees with email_validator: whatever it
accepts, the validator accepts and folds to the same address; it never refuses on its own."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from halcrm.domain.identity import _plain_ascii

# Letters, digits and the characters that make addresses odd: dots, dashes, atext symbols,
# "xn--" prefixes, reserved names, a non-ASCII letter now and then.
PIECES = st.sampled_from(
    ["a", "Z", "0", "9", ".", "-", "_", "+", "!", "~", "xn--", "ab--", "local", "test", "é", "@"]
)
LABEL = st.text(st.sampled_from("abcXYZ019-"), min_size=1, max_size=70)
ADDRESS = st.one_of(
    st.lists(PIECES, min_size=1, max_size=30).map("".join),
    st.tuples(
        st.lists(PIECES, min_size=1, max_size=8).map("".join),
        st.lists(LABEL, min_size=1, max_size=5).map(".".join),
    ).map(lambda parts: f"{parts[0]}@{parts[1]}"),
)


def _validator(address: str) -> str | None:
    try:
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


@settings(max_examples=3000, deadline=None)
@given(ADDRESS)
def test_whatever_the_fast_path_accepts_the_validator_accepts_alike(address: str) -> None:
    fast = _plain_ascii(address)
    if fast is not None:
        assert fast == _validator(address)


def test_an_everyday_address_takes_the_fast_path() -> None:
    assert _plain_ascii("Jane.Doe+crm@Mail.Acme-Corp.co.uk") == "jane.doe+crm@mail.acme-corp.co.uk"
