"""Commands about a colleague's review of a coder's codings: the figures for a methods
section, and the questions still open. (The review itself is made in 'qcode code',
key V on the transcripts screen; `review-file` is another thing: the anonymisation
review.)"""

from __future__ import annotations

from qcode.cli import commandline as cl

from qcode.cli.common import emit_json, open_project, print_table, say
from qcode.cli.group import cli

# The transcripts screen's binding that opens the review (qcode/tui/screens/
# transcripts.py): its id, by which settings remap it, and its key there. Named here
# so that this command need not load Textual; tests/cli/test_review_cli.py keeps the
# two alike.
REVIEW_BINDING = ("transcripts.review", "V")


def review_key() -> str:
    """The key that opens the review on the transcripts screen, as remapped in the
    settings file if it is."""
    from qcode.settings import SettingsError, read_settings

    binding, default = REVIEW_BINDING
    try:
        return read_settings().keys.get(binding, default)
    except SettingsError:  # said by 'qcode code' itself; the default is still a hint
        return default


@cli.group()
def review() -> None:
    """A colleague's review of a coder's codings: figures and open questions."""


@review.command(name="status")
@cl.option("--json", "as_json", is_flag=True, help="Print JSON.")
@cl.pass_context
def review_status(ctx: cl.Context, as_json: bool) -> None:
    """Codings reviewed, agreed, questioned, kept, changed, removed, and questions
    still open, per coder reviewed: the figures a methods section needs."""
    from qcode.core.review_report import methods_sentence

    from dataclasses import asdict

    figures = open_project(ctx).review_figures()
    if as_json:
        emit_json(asdict(figures))
        return
    if not figures.coders:
        say("No coding has been reviewed yet (review one in 'qcode code': "
            f"{review_key()} on the transcripts screen).")
        return
    keys = ["codings", "reviewed", "agreed", "questioned", "kept", "changed", "removed",
            "open"]
    rows = [[coder, *(f"{getattr(counts, k):,}" for k in keys)]
            for coder, counts in figures.coders.items()]
    print_table(["coder reviewed", *keys], rows)
    say("")
    for coder, counts in figures.coders.items():
        say(methods_sentence(coder, counts, figures.reviewers))


@review.command(name="list")
@cl.option("--open", "open_only", is_flag=True, help="Only questions not yet decided.")
@cl.option("--json", "as_json", is_flag=True, help="Print JSON.")
@cl.pass_context
def review_list(ctx: cl.Context, open_only: bool, as_json: bool) -> None:
    """Each reviewed coding, named by transcript, turn and first words, with its mark,
    outcome and the last word of its thread."""
    from qcode.core.review_report import described

    project = open_project(ctx)
    lines = described(project, project.reviews(open_only=open_only))
    if as_json:
        emit_json([{"transcript": line.transcript, "where": line.where, "code": line.code,
                    "coder": line.review.coder, "reviewer": line.review.reviewer,
                    "mark": line.review.mark, "outcome": line.review.outcome,
                    "decided_by": line.review.decided_by,
                    "thread": [{"author": c.author, "body": c.body, "at": c.created}
                               for c in line.review.comments]} for line in lines])
        return
    if not lines:
        say("No open questions." if open_only else "No coding has been reviewed yet.")
        return
    print_table(["transcript", "where", "code", "coder", "mark", "outcome", "last word"],
                [[line.transcript, line.where, line.code, line.review.coder,
                  line.review.mark, line.review.outcome or "open",
                  _last_word(line.review)] for line in lines])


def _last_word(review) -> str:
    if not review.comments:
        return ""
    last = review.comments[-1]
    body = " ".join(last.body.split())
    return f"{last.author}: {body[:40]}{'…' if len(body) > 40 else ''}"
