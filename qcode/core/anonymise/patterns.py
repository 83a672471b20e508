"""Identifiers recognised by their shape: e-mail addresses, URLs and web sites, phone
numbers, social-media handles and UK postcodes; the canonical form of a value, so
that "07700 900417" and "+44 7700 900417" share one pseudonym; and the folded view of a
text, in which no invisible or look-alike character hides a name."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy
import phonenumbers

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)
# Bare domains: a dotted name ending in a known top-level domain ("adsvault.co.uk").
TOP_LEVEL = (r"(?:com|org|net|co\.uk|org\.uk|uk|io|info|biz|eu|de|fr|nl|ie|us|me|tv|xxx|"
             r"app|site|online|example)(?![\w-])")
DOMAIN = re.compile(r"(?<![\w@.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+" + TOP_LEVEL,
                    re.IGNORECASE)
# A dot before a known top-level domain: a search for it starts only at dots.
DOMAIN_END = re.compile(r"\." + TOP_LEVEL, re.IGNORECASE)
AT = re.compile("@")
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}\b")
# Anything phone-shaped; phonenumbers then says whether it could be a real number.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ()\-.]{5,18}\d(?!\w)")
ASCII_RUN = re.compile(r"[\x00-\x7f]+")
TRAILING = ".,;:!?)]}'\""


def find_patterns(text: str) -> Iterator[tuple[int, int, str, str]]:
    """Yield (start, end, category, canonical value), earliest first, without overlaps."""
    found: list[tuple[int, int, str, str]] = []
    digits = _has_digit(text)
    for regex, category, possible in ((EMAIL, "email", "@" in text),
                                      (URL, "url", _may_hold_url(text)),
                                      (DOMAIN, "website", DOMAIN_END.search(text)),
                                      (HANDLE, "handle", "@" in text),
                                      (POSTCODE, "postcode", digits)):
        # A cheap search for what the pattern cannot do without spares scanning a long
        # transcript character by character for an address it does not hold.
        if not possible:
            continue
        for match in regex.finditer(text):
            start, end = match.span()
            while end > start and text[end - 1] in TRAILING:
                end -= 1
            found.append((start, end, category, canonical(text[start:end], category)))
    for match in PHONE.finditer(text) if digits else ():
        number = _phone(match.group())
        if number:
            found.append((match.start(), match.end(), "phone", number))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    last_end = -1
    for item in found:
        if item[0] >= last_end:
            yield item
            last_end = item[1]


def _has_digit(text: str) -> bool:
    """Any digit (what `\\d` matches): ASCII ones by substring search, in C; others
    among the few characters beyond ASCII."""
    return any(d in text for d in "0123456789") or any(c.isdecimal() for c in beyond_ascii(text))


def beyond_ascii(text: str) -> set[str]:
    """The distinct characters of a text that are not ASCII, found in C."""
    return set() if text.isascii() else set(ASCII_RUN.sub("", text))


def _may_hold_url(text: str) -> bool:
    """"http://", "https://" or "www." in any case: "://", or "ww." in any case."""
    return "://" in text or any(w in text for w in ("ww.", "wW.", "Ww.", "WW."))


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


@lru_cache(maxsize=1 << 16)  # the same values come back on every occurrence
def canonical(value: str, category: str) -> str:
    """The form under which a value is looked up in the key: as a reader sees it, so a
    soft hyphen or a fullwidth letter makes no second entry."""
    value = " ".join(folded(value).split())
    if category == "phone":
        return _phone(value) or value
    if category in ("email", "handle"):
        return value.lower()
    if category in ("url", "website"):
        value = re.sub(r"^(?:https?://)?(?:www\.)?", "", value, flags=re.IGNORECASE)
        return value.rstrip("/").lower()
    return value.casefold()


# Invisible characters that are not format characters (category Cf): the combining
# grapheme joiner, Hangul fillers, variation selectors. A reader sees none of them.
_INVISIBLE = re.compile("[\u034f\u115f\u1160\u3164\uffa0\ufe00-\ufe0f"
                        "\U000e0100-\U000e01ef]")


@cache
def _fold_char(char: str) -> str | None:
    """What a character is read as, or None when it is read as itself: nothing for an
    invisible one (soft hyphen, zero-width space, joiner, word joiner, a BOM inside the
    text), the compatibility form of a letter or digit ("Ｋ" -> "K", "ﬁ" -> "fi",
    "𝐊" -> "K"). Other compatibility forms ("™" -> "TM", "½") would join or split words,
    so they stay."""
    if unicodedata.category(char) == "Cf" or _INVISIBLE.match(char):
        return ""
    plain = unicodedata.normalize("NFKC", char)
    if plain != char and char.isalnum() and plain.isalnum():
        return plain
    return None


@dataclass(frozen=True)
class Folded:
    """A text as a reader sees it, with the way back to the stored text: the stored text
    never changes (positions are code points over it), so matching happens here and
    each span found is mapped back, covering the hidden characters inside it."""

    text: str
    # One row per folded character: where it starts (in the folded text), where the
    # next text begins after it, and the same two places in the original.
    _folded: list[int] = field(default_factory=list)
    _folded_end: list[int] = field(default_factory=list)
    _original: list[int] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self._folded

    def start(self, at: int) -> int:
        """The original position of the folded character at `at`."""
        k = bisect.bisect_right(self._folded, at) - 1
        if k < 0:
            return at
        if at < self._folded_end[k]:
            return self._original[k]  # inside a character that became several
        return at - self._folded_end[k] + self._original[k] + 1

    def end(self, at: int) -> int:
        """The original position just after the folded span ending at `at`."""
        return self.start(at - 1) + 1 if at > 0 else 0

    def spans(self, starts: list[int], ends: list[int]) -> tuple[list[int], list[int]]:
        """`start` and `end` of many spans at once, in numpy: a transcript with one
        soft hyphen near its beginning moves every finding after it."""
        folded = numpy.array(self._folded)
        folded_end = numpy.array(self._folded_end)
        original = numpy.array(self._original)

        def start(at: numpy.ndarray) -> numpy.ndarray:
            k = numpy.searchsorted(folded, at, side="right") - 1
            row = numpy.maximum(k, 0)
            moved = numpy.where(at < folded_end[row], original[row],
                                at - folded_end[row] + original[row] + 1)
            return numpy.where(k < 0, at, moved)

        starts_at = numpy.array(starts, dtype=numpy.int64)
        ends_at = numpy.array(ends, dtype=numpy.int64)
        ends_moved = numpy.where(ends_at > 0, start(ends_at - 1) + 1, 0)
        return start(starts_at).tolist(), ends_moved.tolist()

    def position(self, original: int) -> int:
        """The folded position of an original one (a label's start)."""
        k = bisect.bisect_left(self._original, original) - 1
        if k < 0:
            return original
        return original - self._original[k] - 1 + self._folded_end[k]


def fold(text: str) -> Folded:
    if text.isascii():
        return Folded(text)  # nothing to fold: the common case costs one scan in C
    # Only characters beyond ASCII are read as something else, and they are few: each
    # is found by substring search, in C.
    odd = [c for c in beyond_ascii(text) if _fold_char(c) is not None]
    if not odd:
        return Folded(text)
    pieces, folded, folded_end, original = [], [], [], []
    last = shift = 0
    for at in sorted(_positions(text, odd)):
        plain = _fold_char(text[at])
        pieces += [text[last:at], plain]
        folded.append(at - shift)
        folded_end.append(at - shift + len(plain))
        original.append(at)
        shift += 1 - len(plain)
        last = at + 1
    pieces.append(text[last:])
    return Folded("".join(pieces), folded, folded_end, original)


def _positions(text: str, chars: list[str]) -> Iterator[int]:
    for char in chars:
        at = text.find(char)
        while at >= 0:
            yield at
            at = text.find(char, at + 1)


def folded(text: str) -> str:
    return text if text.isascii() else fold(text).text
