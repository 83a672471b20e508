"""Identifiers recognised by their shape: e-mail addresses, URLs and web sites, phone
numbers, social-media handles and UK postcodes; and the canonical form of a value, so
that "07700 900417" and "+44 7700 900417" share one pseudonym."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)
# Bare domains: a dotted name ending in a known top-level domain ("adsvault.co.uk").
DOMAIN = re.compile(
    r"(?<![\w@.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
    r"(?:com|org|net|co\.uk|org\.uk|uk|io|info|biz|eu|de|fr|nl|ie|us|me|tv|xxx|app|"
    r"site|online|example)(?![\w-])",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}\b")
# Anything phone-shaped; phonenumbers then says whether it could be a real number.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ()\-.]{5,18}\d(?!\w)")
TRAILING = ".,;:!?)]}'\""


def find_patterns(text: str) -> Iterator[tuple[int, int, str, str]]:
    """Yield (start, end, category, canonical value), earliest first, without overlaps."""
    found: list[tuple[int, int, str, str]] = []
    for regex, category in ((EMAIL, "email"), (URL, "url"), (DOMAIN, "website"),
                            (HANDLE, "handle"), (POSTCODE, "postcode")):
        for match in regex.finditer(text):
            start, end = match.span()
            while end > start and text[end - 1] in TRAILING:
                end -= 1
            found.append((start, end, category, canonical(text[start:end], category)))
    for match in PHONE.finditer(text):
        number = _phone(match.group())
        if number:
            found.append((match.start(), match.end(), "phone", number))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    last_end = -1
    for item in found:
        if item[0] >= last_end:
            yield item
            last_end = item[1]


def _phone(raw: str) -> str | None:
    digits = sum(ch.isdigit() for ch in raw)
    if digits < 7 or digits > 15:
        return None
    parsed = []
    for region in ("GB", "US"):
        try:
            parsed.append(phonenumbers.parse(raw, region))
        except phonenumbers.NumberParseException:
            continue
    # A valid number in either region beats a merely possible one.
    for check in (phonenumbers.is_valid_number, phonenumbers.is_possible_number):
        for number in parsed:
            if check(number):
                return phonenumbers.format_number(number,
                                                  phonenumbers.PhoneNumberFormat.E164)
    # US fictional 555-01xx numbers without an area code are 7 digits: still a number.
    if digits == 7 and re.fullmatch(r"\d{3}[-. ]\d{4}", raw):
        return re.sub(r"\D", "", raw)
    return None


def canonical(value: str, category: str) -> str:
    """The form under which a value is looked up in the key."""
    value = " ".join(value.split())
    if category == "phone":
        return _phone(value) or value
    if category in ("email", "handle"):
        return value.lower()
    if category in ("url", "website"):
        value = re.sub(r"^(?:https?://)?(?:www\.)?", "", value, flags=re.IGNORECASE)
        return value.rstrip("/").lower()
    return value.casefold()
