"""The one card-number detector: every spelling found, ordinary numbers left alone."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paysupport.pan import contains_pan, find_pans, mask_pans, may_contain_pan

# Digit zero of a few scripts (each has its ten digits at consecutive code points).
ZEROS = ["0", "\u0660", "\u06f0", "\u0966", "\uff10", "\u09e6", "\u0e50", "\U0001d7ce"]
SEPARATORS = [" ", "  ", "\u00a0", "\u2009", "\u202f", ".", "-", "_", "/", "\u2013", "\u200b", "\t"]


def luhn_complete(body: str) -> str:
    """``body`` plus the check digit that makes it Luhn-valid."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


pans = st.integers(12, 19).flatmap(
    lambda n: st.from_regex(rf"\A[2-6][0-9]{{{n - 2}}}\Z", fullmatch=True).map(luhn_complete)
)


@st.composite
def spelled(draw: st.DrawFn, pan: str) -> str:
    """``pan`` in a drawn digit script, split into drawn groups by drawn separators."""
    zero = ord(draw(st.sampled_from(ZEROS)))
    digits = [chr(zero + int(d)) for d in pan]
    out: list[str] = []
    for i, ch in enumerate(digits):
        if i and draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from(SEPARATORS)))
        out.append(ch)
    return "".join(out)


@given(pan=pans, data=st.data(), before=st.text(max_size=20), after=st.text(max_size=20))
def test_every_spelling_is_found_and_masked(
    pan: str, data: st.DataObject, before: str, after: str
) -> None:
    text = f"{before} {data.draw(spelled(pan))} {after}"
    assert contains_pan(text)
    masked = mask_pans(text)
    assert not contains_pan(masked)
    assert f"[card ending {pan[-4:]}]" in masked or "[card ending" in masked
    assert mask_pans(masked) == masked


@pytest.mark.parametrize(
    "text",
    [
        "4242424242424242",
        "4242 4242 4242 4242",
        "4242  4242  4242  4242",
        "4242.4242.4242.4242",
        "4242_4242_4242_4242",
        "4242/4242/4242/4242",
        "4242\u00a04242\u00a04242\u00a04242",
        "\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662",
        "\uff14\uff12\uff14\uff12\uff14\uff12\uff14\uff12\uff14\uff12\uff14\uff12\uff14\uff12\uff14\uff12",
        "4242\u200b4242\u200b4242\u200b4242",
    ],
)
def test_published_test_card_in_each_spelling(text: str) -> None:
    assert mask_pans(f"paid with {text} today") == "paid with [card ending 4242] today"


def test_amex_fifteen_digits_and_trailing_expiry() -> None:
    assert mask_pans("3782 822463 10005") == "[card ending 0005]"
    assert mask_pans("card 4242 4242 4242 4242 12/28") == "card [card ending 4242] 12/28"
    (match,) = find_pans("x 5555-5555-5555-4444 y")
    assert (match.start, match.end, match.last4, match.length) == (2, 21, "4444", 16)


@pytest.mark.parametrize(
    "text",
    [
        "order 1234567890123",  # not Luhn-valid
        "2026-11-24T09:30:00.123456+00:00",  # a timestamp: the T and colons end the runs
        "12.34 EUR",
        "000000000000",  # all zeros is no card number
        "8815131234567890",  # Luhn-valid, but an Adyen pspReference: no card brand starts with 8
        "1234567890123452",  # Luhn-valid, MII 1 (airlines) is not a card brand here
        "42424242424242424242424",  # one unbroken run of more than 19 digits
        "4242424242",  # too short
        "pay_1",
    ],
)
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    assert not contains_pan(text)
    assert mask_pans(text) is text


@given(st.text())
def test_masking_never_leaves_a_card_number(text: str) -> None:
    masked = mask_pans(text)
    assert not contains_pan(masked)
    assert (masked == text) is (not contains_pan(text))


@given(pan=pans, data=st.data(), before=st.text(max_size=20))
def test_document_precheck_never_misses_a_card_number(
    pan: str, data: st.DataObject, before: str
) -> None:
    text = before + data.draw(spelled(pan))
    for doc in (json.dumps({"note": text}), json.dumps({"note": text}, ensure_ascii=False)):
        assert may_contain_pan(doc)
        assert may_contain_pan(doc.encode())


@given(
    st.lists(
        st.sampled_from([*'0123456789ab:\\"', *SEPARATORS, "\u0660", "\u00e9"]), max_size=40
    ).map("".join)
)
def test_document_precheck_reads_text_and_its_bytes_alike(text: str) -> None:
    # A str is checked as text (ASCII flag, backslash), bytes as bytes: the same answer.
    for doc in (text, json.dumps({"note": text}), json.dumps({"note": text}, ensure_ascii=False)):
        answer = may_contain_pan(doc)
        assert may_contain_pan(doc.encode()) is answer
        assert may_contain_pan(bytearray(doc.encode())) is answer


def test_document_precheck_passes_ordinary_json() -> None:
    doc = json.dumps({"id": "pay_1", "at": "2026-06-01T12:00:00Z", "amount": 12000})
    assert not may_contain_pan(doc)
    assert may_contain_pan(doc.replace("pay_1", "pay_4242424242424242"))


@given(
    st.integers(12, 19).flatmap(
        lambda n: st.from_regex(rf"\A[0179][0-9]{{{n - 2}}}\Z", fullmatch=True).map(luhn_complete)
    )
)
def test_luhn_valid_numbers_outside_the_card_brands_are_not_card_numbers(number: str) -> None:
    # Provider references (Adyen pspReference: 16 digits from 1, 8 or 9) pass the Luhn check
    # one time in ten; they are not card numbers and are stored as they are.
    assert not contains_pan(number)
    assert mask_pans(f"ref {number}") == f"ref {number}"


@pytest.mark.parametrize(
    "pan",
    [
        "4111111111111111",
        "5555555555554444",
        "2223003122003222",
        "378282246310005",
        "36227206271667",
        "3566002020360505",
        "6011111111111117",
        "6200000000000005",
        "5018000000000009",
    ],
)
def test_every_brands_test_card_is_a_card_number(pan: str) -> None:
    assert contains_pan(pan)
