"""Whose codings a report is made from, and the attribute it compares cases by."""

from __future__ import annotations

from dataclasses import dataclass

from qcode.core.store import CONSENSUS, ProjectError

ALL_CODERS = "all"
BY_TRANSCRIPT, BY_CASE = "transcript", "case"
NO_VALUE = "(none)"


class ReportError(ProjectError):
    """A report that cannot be made as asked; the message says why and what exists."""


@dataclass(frozen=True)
class CoderChoice:
    """The coders whose codings a report uses, and a sentence saying so for its header.

    With several coders their codings are pooled: the segments of one code that
    overlap are joined into one, so a passage two coders coded alike counts once."""
    coders: tuple[str, ...]
    asked: str | None          # what the researcher asked for; None: the default
    note: str

    @property
    def pooled(self) -> bool:
        return len(self.coders) > 1


def choose_coders(counts: dict[str, int], known: list[str],
                  asked: str | None) -> CoderChoice:
    """`counts`: codings per coder (coders with none left out); `known`: every coder.
    `asked` is a coder's name, "all", or None for the default: the consensus when it
    has codings (the agreed version), else the one coder who coded, else every coder
    pooled."""
    coded = sorted(counts)
    if asked is not None and asked not in known and asked.casefold() == ALL_CODERS:
        return CoderChoice(tuple(coded), asked, _pooled_note(coded, "every coder"))
    if asked is not None:
        if asked not in known:
            raise ReportError(f"no coder named '{asked}' (coders: "
                              f"{', '.join(known) or 'none yet'}; or 'all')")
        return CoderChoice((asked,), asked, f"Codings of {asked}.")
    if counts.get(CONSENSUS):
        return CoderChoice((CONSENSUS,), None,
                           f"Codings of the {CONSENSUS} coder (the agreed version); "
                           "--coder names another coder, --coder all pools them.")
    if len(coded) == 1:
        return CoderChoice((coded[0],), None, f"Codings of {coded[0]}, the one coder.")
    if not coded:
        return CoderChoice((), None, "No codings yet.")
    return CoderChoice(tuple(coded), None, _pooled_note(
        coded, "every coder (there is no consensus yet)"))


def _pooled_note(coders: list[str], who: str) -> str:
    return (f"Codings of {who}: {', '.join(coders)}, pooled; where coders coded the "
            "same passage with one code it counts once.")


def attribute_named(names: list[str], typed: str) -> str:
    """The attribute a researcher means, matched exactly or else ignoring case."""
    if typed in names:
        return typed
    folded = [n for n in names if n.casefold() == typed.casefold()]
    if len(folded) == 1:
        return folded[0]
    if not names:
        raise ReportError(f"no case has the attribute '{typed}': no case has any "
                          "attributes yet (set them with 'qcode case set P01 role=...' "
                          "or import with --attributes)")
    raise ReportError(f"no case has the attribute '{typed}' (attributes: "
                      f"{', '.join(names)})")
