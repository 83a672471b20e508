"""Which words are ordinary English and which are first names.

Ordinary words come from Webster's Second (the `english-words` package, entries that are
lowercase there, so proper nouns are left out); first names from the international list
shipped with `gender-guesser`. Both are read once, on first use, from installed files:
nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType

# Inflections Webster's leaves out ("teams", "posted", "safer").
SUFFIXES = ("ies", "es", "s", "ed", "ing", "ly", "er", "ers")
# The shortest stem each suffix takes. The dictionary has most adverbs; a short stem
# with "-ly" is more often a name than a missing adverb: "Denely" ("dene"), "Beverly".
STEM = {"ly": 6}
# Capitalised words that identify nobody: the dictionary lists them capitalised, so they
# would otherwise look like names to the candidate finder.
COMMON_PROPER = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april
june july august september october november december christmas easter ramadan
eid diwali hanukkah english british scottish welsh irish european american african
asian chinese romanian albanian polish vietnamese nigerian spanish french german
italian brazilian thai hungarian bulgarian lithuanian latvian czech slovak ukrainian
russian indian pakistani bangladeshi muslim christian jewish god covid internet
england scotland wales ireland britain uk usa america europe asia africa london
mr mrs ms dr ok okay""".split())
# Fillers and interjections that transcribers capitalise: never anybody's name.
FILLERS = frozenset("""
oh ah aha eh er erm hm hmm hmmm mm mmm mhm mm-hmm uh uhm um umm huh yeah yep yup nah
nope wow whoa ooh ha haha gonna wanna gotta kinda sorta""".split())
# Function words (articles, prepositions, conjunctions, pronouns, forms of "be"): never
# a part of a name nor a term replaced, in any case. A speaker label "ACTOR AS EINSTEIN"
# once made "AS" a name, and every "As" of the batch became "[Person 1]". English only:
# the word list is English. Auxiliaries that are also surnames or given names ("Do",
# "Will", "May", "Can") are left out, and so is "He": they are judged as names are.
FUNCTION_WORDS = frozenset("""
a an the and or but nor as at by for from in into of off on onto out over to up upon
with within without via per than that this these those i me my we us our you your
she her it its they them their his him is are was were be been am not if so""".split())


@cache
def ordinary_words() -> Mapping[str, None]:
    """The words, as the keys of a read-only mapping rather than a frozenset: the garbage
    collector skips a dictionary that holds only strings, but walks a set's 210,000
    entries on every full collection (some 40 ms each, several times a long scan)."""
    from english_words import get_english_words_set

    return MappingProxyType(dict.fromkeys(
        w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()))


@cache
def _name_table() -> dict[str, bool]:
    """Casefolded first names (about 38,000, many languages), each with whether it is
    in use in Britain, Ireland or the US."""
    data = resources.files("gender_guesser") / "data" / "nam_dict.txt"
    names: dict[str, bool] = {}
    with data.open(encoding="utf-8") as fh:
        for line in fh:
            # Fixed columns: gender code, the name in columns 3-28, then one frequency
            # digit per country, the first three being Great Britain, Ireland, the US.
            if line.startswith("#") or len(line) < 30:
                continue
            name = line[3:29].strip()
            if name and "+" not in name:
                folded = name.casefold()
                names[folded] = names.get(folded, False) or bool(line[30:33].strip())
    return names


def is_ordinary(word: str) -> bool:
    """True for an ordinary English word, inflections included ("teams", "posted")."""
    return _is_ordinary(word.lower())


@lru_cache(maxsize=1 << 16)  # a transcript asks about the same words again and again
def _is_ordinary(lower: str) -> bool:
    words = ordinary_words()
    if lower in words or lower in COMMON_PROPER or lower in FILLERS:
        return True
    for suffix in SUFFIXES:
        if lower.endswith(suffix) and len(lower) - len(suffix) >= STEM.get(suffix, 3):
            stem = lower[: -len(suffix)]
            if stem in words or stem + "e" in words or (suffix == "ies" and stem + "y" in words):
                return True
    return False


def is_common_proper(word: str) -> bool:
    return word.lower() in COMMON_PROPER


def is_first_name(word: str) -> bool:
    return word.casefold() in _name_table()


def is_english_first_name(word: str) -> bool:
    """A first name given in Britain, Ireland or the US: "Will", "Rose", not "You" (a
    Korean given name) or "Oh", which the international list also holds."""
    return _name_table().get(word.casefold(), False)


def is_function_word(word: str) -> bool:
    return word.casefold() in FUNCTION_WORDS


def is_filler(word: str) -> bool:
    return word.lower() in FILLERS
