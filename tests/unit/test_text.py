"""terminal_safe: what a terminal would obey is written out, everything else kept."""

from __future__ import annotations

import json

import pytest

from qcode.core.text import terminal_safe


@pytest.mark.parametrize("raw, shown", [
    ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),          # OSC ended by BEL
    ("\x1b]52;c;cHduZWQ=\x1b\\", "\\x1b]52;c;cHduZWQ=\\x1b\\"),  # OSC ended by ST
    ("\x1b[2J", "\\x1b[2J"),                               # CSI
    ("\x1bP1$r\x1b\\", "\\x1bP1$r\\x1b\\"),                # DCS
    ("\x9b31m", "\\x9b31m"),                               # C1 CSI
    ("\x90\x9d\x85", "\\x90\\x9d\\x85"),                   # C1 DCS, OSC, next line
    ("a\x00b\x08c\rd\x0be\x7f", "a\\x00b\\x08c\\x0dd\\x0be\\x7f"),
    ("\u202ecba\u202c \u2066x\u2069 \u202a\u202b\u202d\u2067\u2068",
     "\\u202ecba\\u202c \\u2066x\\u2069 \\u202a\\u202b\\u202d\\u2067\\u2068"),
])
def test_controls_and_sequences_are_shown_not_obeyed(raw, shown):
    assert terminal_safe(raw) == shown


def test_ordinary_text_is_kept():
    text = "Tab\there,\nnew line,\r\nCRLF line; José, Ærø, 日本, عربي, emoji 🙂, [laughs], C:\\x1b"
    assert terminal_safe(text) == text


def test_safe_text_stays_as_it_is():
    once = terminal_safe("\x1b]0;t\x07\u202e")
    assert terminal_safe(once) == once


def test_in_json_the_escapes_read_back_as_the_same_characters():
    data = {"t": "\x1b]0;t\x07 \x9b \x7f \u202e é"}
    written = terminal_safe(json.dumps(data, ensure_ascii=False), in_json=True)
    assert not any(c in written for c in "\x1b\x07\x9b\x7f\u202e")
    assert "é" in written
    assert json.loads(written) == data
