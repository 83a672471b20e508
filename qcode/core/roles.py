"""Who speaks for the interview: the interviewer's side told from a turn's speaker label.

Its own small module (only `re`): the store counts a coder's coverage of the
participant's turns with it, and the store must not load the importers to do so."""

from __future__ import annotations

import re

# The interviewer's side among the roles (Interviewer, Researcher 2, Moderator A, and
# the one-letter I and Q of "I:/B:" and "Q:/A:" transcripts): words spoken there are
# the interviewer's, which a quote must not lend to the participant.
_INTERVIEWER = re.compile(r"(?i:interviewer|researcher|moderator|facilitator)"
                          r"(?:[ ]?\d+|[ ][A-Z])?|[IQ]\d*")


def is_interviewer(speaker: str | None) -> bool:
    """Whether a turn's speaker label names the interviewer's side of the interview."""
    return bool(speaker) and _INTERVIEWER.fullmatch(speaker.strip()) is not None
