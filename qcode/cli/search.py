"""`qcode search`: full-text search across transcripts. A module of its own so that the
command loads the store and nothing else (benchmarks/bench_startup.py)."""

from __future__ import annotations

from qcode.cli import commandline as cl

from qcode.cli.common import Strong, emit_json, open_project, say
from qcode.cli.group import cli


@cli.command()
@cl.argument("phrase")
@cl.option("--limit", type=cl.IntRange(min=1), default=50, show_default=True,
           help="Most hits to show.")
@cl.option("--json", "as_json", is_flag=True, help="Print JSON.")
@cl.pass_context
def search(ctx: cl.Context, phrase: str, limit: int, as_json: bool) -> None:
    """Full-text search for a phrase across all transcripts."""
    hits = open_project(ctx).search(phrase, limit=limit)
    if as_json:
        emit_json([{"transcript": h.transcript, "turn": h.turn, "speaker": h.speaker,
                    "start": h.start, "end": h.end,
                    "snippet": h.snippet.replace("\x02", "").replace("\x03", "")}
                   for h in hits])
        return
    if not hits:
        say(f"No transcript contains \"{phrase}\".")
        return
    for h in hits:
        snippet = " ".join(h.snippet.split())
        parts = snippet.replace("\x03", "\x02").split("\x02")
        shown = [Strong(p) if i % 2 else p for i, p in enumerate(parts)]
        say(f"{h.transcript}  turn {h.turn}  {h.speaker or '—'}: ", *shown)
    more = " (there may be more: raise --limit)" if len(hits) == limit else ""
    say(f"{len(hits)} hit(s){more}")
