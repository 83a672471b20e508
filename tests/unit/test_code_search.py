"""The picker's ranking: a name typed in full or by its first letters wins over fuzzy
and definition matches (issue 14: a new code's name once applied an unrelated code
matched by its definition)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qcode.core.code_search import CodeIndex, same_name
from qcode.core.model import Code


def index(*codes: tuple[str, str, int | None]) -> CodeIndex:
    """Codes from (name, definition, parent's position), ids counted from 1."""
    return CodeIndex([Code(guid=str(i), name=name, definition=definition, id=i,
                           parent_id=parent)
                      for i, (name, definition, parent) in enumerate(codes, start=1)])


STUDY = index(
    ("Barriers to policing and regulation", "What stops the police: poor trust in "
     "police, no reporting, lack of policing powers.", None),
    ("Lack of training", "Officers were not trained to recognise exploitation.", 1),
    ("Police", "Mentions of the police as an institution.", None),
    ("Policing powers", "Powers the police have or lack.", None),
    ("Community policing", "Officers working with a neighbourhood.", None),
    ("Fear of deportation", "Victims fear being removed from the country.", None),
)


def names(found: list[Code]) -> list[str]:
    return [code.name for code in found]


def test_exact_name_then_prefix_then_word_prefix():
    assert names(STUDY.search("police"))[0] == "Police"
    assert names(STUDY.search("polic"))[:4] == [
        "Police", "Policing powers",  # start with it, shorter first
        "Community policing", "Barriers to policing and regulation"]  # a word does


def test_a_definition_match_never_outranks_a_name_match():
    codes = index(
        ("Barriers to policing and regulation", "Poor trust in police.", None),
        ("Distrust of officers", "", None),
        ("Trust in police", "", None))
    assert names(codes.search("trust")) == [
        "Trust in police", "Distrust of officers", "Barriers to policing and regulation"]


def test_fuzzy_still_finds_a_typo():
    assert names(STUDY.search("trainng"))[0] == "Lack of training"
    assert names(STUDY.search("removed from"))[0] == "Fear of deportation"  # definition


def test_named_ignores_case_and_spacing_and_nothing_else():
    assert STUDY.named("  lack   OF training ").name == "Lack of training"
    assert STUDY.named("Lack of trainin") is None
    assert STUDY.named("") is None


def test_empty_query_lists_codes_in_codebook_order():
    assert names(STUDY.search("")) == names(STUDY.codes)


name_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                    min_size=1, max_size=30).filter(lambda s: s.strip())


@settings(max_examples=100, deadline=None)
@given(st.lists(name_text, max_size=8), name_text)
def test_the_code_with_the_typed_name_ranks_first(existing: list[str], typed: str):
    codes = index(*[(name, "", None) for name in existing])
    found = codes.search(typed)
    named = codes.named(typed)
    if named is None:
        assert all(same_name(c.name) != same_name(typed) for c in codes.codes)
    else:
        assert found[0].id == named.id
        assert same_name(named.name) == same_name(typed)
