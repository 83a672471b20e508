"""Whose codings a report is made from, and the attribute it compares cases by; the
one error a report raises, and the one rule for matching a name the researcher typed
(these two serve the agreement report too)."""

from __future__ import annotations

from dataclasses import dataclass

from qcode.core.store import CONSENSUS, ProjectError
from qcode.core.wording import plural

ALL_CODERS = "all"
BY_TRANSCRIPT, BY_CASE = "transcript", "case"
NO_VALUE = "(none)"


# A ProjectError, so the screens that show a ProjectError as one line show this one alike.
class ReportError(ProjectError):
    """A report that cannot be made as asked; the message says why and what exists."""


@dataclass(frozen=True)
class CoderChoice:
    """The coders whose codings a report uses, and a sentence saying so for its header.

    With several coders their codings are pooled: the segments of one code that
    overlap are joined into one, so a passage two coders coded alike counts once. With
    `pair`, the codings are the agreed version of those two coders (see agreed.py):
    `coders` then holds the pair and the consensus coder, whose codings are read."""
    coders: tuple[str, ...]
    asked: str | None          # what the researcher asked for; None: the default
    note: str
    pair: tuple[str, str] | None = None
    pinned: str | None = None  # the --coder that makes the same choice again

    @property
    def pooled(self) -> bool:
        return len(self.coders) > 1 and self.pair is None


def matching_name(known: list[str], typed: str) -> str | None:
    """The name a researcher means, of a coder or an attribute: the name as typed, else
    the one name equal to it ignoring case, else None (none, or several, such as "Ben"
    and "ben" for "BEN"). The one rule wherever qcode matches such a name."""
    if typed in known:
        return typed
    folded = [k for k in known if k.casefold() == typed.casefold()]
    return folded[0] if len(folded) == 1 else None


def choose_coders(counts: dict[str, int], known: list[str], asked: str | None,
                  pairs: dict[tuple[str, str], int] | None = None) -> CoderChoice:
    """`counts`: codings per coder (coders with none left out); `known`: every coder;
    `pairs`: places resolved into the consensus per pair of coders compared.

    `asked` is a coder's name (matched ignoring case when that is unambiguous), "all",
    or None for the default: the agreed version when places have been resolved, else
    the consensus coder's codings when it has any, else the one coder who coded, else
    every coder pooled. "consensus" asks for the agreed version. "all" pools every
    coder's own codings, without the consensus coder's: they restate the coders'
    codings where they were resolved.

    The note of an agreed version is completed by `agreed_note` once its places are
    counted."""
    pairs = pairs or {}
    coded = sorted(c for c in counts if c != CONSENSUS)
    pair = max(pairs, key=pairs.get) if pairs else None
    name = None if asked is None else matching_name(known, asked)
    if asked is not None and name is None and asked.casefold() == ALL_CODERS:
        if not coded:
            return CoderChoice((), asked, "No one has coded yet: there are no codings "
                               "to pool.", pinned=ALL_CODERS)
        left_out = (f" The {CONSENSUS} coder's codings are left out: --coder "
                    f"{CONSENSUS} gives the agreed version." if counts.get(CONSENSUS)
                    else "")
        return CoderChoice(tuple(coded), asked,
                           _pooled_note(coded, "every coder") + left_out,
                           pinned=ALL_CODERS)
    if asked is not None and name is None and asked.casefold() == CONSENSUS:
        raise ReportError(f"there is no {CONSENSUS} yet: it is made by resolving the "
                          "places where two coders differ ('D' on the transcripts "
                          "screen)")
    if asked is not None and name is None:
        raise ReportError(f"no coder named '{asked}' (coders: "
                          f"{', '.join(known) or 'none yet'}; or 'all')")
    if name is not None and name != CONSENSUS:
        return CoderChoice((name,), asked, f"Codings of {name}.", pinned=name)
    if name == CONSENSUS or pair or counts.get(CONSENSUS):
        if pair:
            return CoderChoice((*pair, CONSENSUS), asked, "", pair=pair, pinned=CONSENSUS)
        if not counts.get(CONSENSUS):
            raise ReportError(f"there is no {CONSENSUS} yet: it is made by resolving the "
                              "places where two coders differ ('D' on the transcripts "
                              "screen)")
        return CoderChoice((CONSENSUS,), asked, f"Codings of the {CONSENSUS} coder alone: "
                           "no place where two coders differ has been resolved, so "
                           "nothing of theirs is added.", pinned=CONSENSUS)
    if len(coded) == 1:
        return CoderChoice((coded[0],), None, f"Codings of {coded[0]}, the one coder.",
                           pinned=coded[0])
    if not coded:
        return CoderChoice((), None, "No codings yet.")
    return CoderChoice(tuple(coded), None, _pooled_note(
        coded, "every coder (there is no consensus yet)"), pinned=ALL_CODERS)


def agreed_note(pair: tuple[str, str], resolved: int, unresolved: int,
                other_pairs: int = 0) -> str:
    """The header sentence of an agreed version: what it holds and what it leaves out."""
    first, second = pair
    places = plural(resolved, "place")
    note = (f"The agreed version of {first} and {second}: where both coded, plus the "
            f"{places} where they differed resolved in {CONSENSUS}")
    if unresolved:
        note += (f"; {plural(unresolved, 'place')} where they "
                 f"differ {'is' if unresolved == 1 else 'are'} not resolved yet and "
                 f"count{'s' if unresolved == 1 else ''} only what both coded there")
    else:
        note += "; every place where they differ is resolved"
    if other_pairs:
        note += (f" (places resolved between {other_pairs} other "
                 f"pair{'' if other_pairs == 1 else 's'} of coders are not used)")
    return note + (". --coder NAME gives one coder's codings, --coder all pools every "
                   "coder's own.")


def _pooled_note(coders: list[str], who: str) -> str:
    return (f"Codings of {who}: {', '.join(coders)}, pooled; where coders coded the "
            "same passage with one code it counts once.")


def attribute_named(names: list[str], typed: str) -> str:
    """The attribute a researcher means (see matching_name)."""
    name = matching_name(names, typed)
    if name is not None:
        return name
    if not names:
        raise ReportError(f"no case has the attribute '{typed}': no case has any "
                          "attributes yet (set them with 'qcode case set P01 role=...' "
                          "or import with --attributes)")
    raise ReportError(f"no case has the attribute '{typed}' (attributes: "
                      f"{', '.join(names)})")
