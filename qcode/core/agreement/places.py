"""The places of a consensus meeting: where two coders' codings of different codes
overlap in the text, the meeting decides one passage, not one row per code. A meeting
place gathers every per-code place (see disagreements.places_in) whose stretch of
text overlaps another's, so "Ana: Gaps in police knowledge / Ben: Lack of training"
is one place to decide."""

from __future__ import annotations

from dataclasses import dataclass, field

PARTLY = "partly"


@dataclass
class MeetingPlace:
    """One passage of one transcript to decide; `members` are the per-code places in
    it (dicts from places_in), in text order."""

    transcript_id: int
    transcript: str
    start: int
    end: int
    members: list[dict] = field(default_factory=list)

    def codes_of(self, which: str) -> list[str]:
        """The codes the first (`which="first"`) or second coder gave in this place."""
        return list(dict.fromkeys(m["code"] for m in self.members
                                  if getattr(m["place"], which)))

    def label(self, first: str, second: str) -> str:
        """What the coders did here: "ana: A / ben: B", or for one code whose spans
        differ, the code and whose it is."""
        if len(self.members) == 1:
            member = self.members[0]
            kind = member["place"].kind.replace("the first coder", first).replace(
                "the second coder", second)
            return f"{member['code']}: {kind}"
        return (f"{first}: {', '.join(self.codes_of('first')) or 'nothing'} / "
                f"{second}: {', '.join(self.codes_of('second')) or 'nothing'}")

    @property
    def resolution(self) -> str | None:
        """The choice made for every code here, PARTLY when only some codes (or not
        all alike) were decided, None when none was."""
        choices = {m["resolution"] for m in self.members}
        if choices == {None}:
            return None
        return choices.pop() if len(choices) == 1 else PARTLY


def group_places(places: list[dict]) -> list[MeetingPlace]:
    """Gather per-code places whose text overlaps (directly or through another) into
    meeting places, per transcript in the order given, each in text order."""
    by_transcript: dict[int, list[dict]] = {}
    for place in places:
        by_transcript.setdefault(place["transcript_id"], []).append(place)
    out: list[MeetingPlace] = []
    for transcript_id, members in by_transcript.items():
        current: MeetingPlace | None = None
        for member in sorted(members, key=lambda m: (m["place"].start, m["place"].end)):
            where = member["place"]
            if current is None or where.start >= current.end:
                current = MeetingPlace(transcript_id, member["transcript"], where.start,
                                       where.end)
                out.append(current)
            current.end = max(current.end, where.end)
            current.members.append(member)
    return out
