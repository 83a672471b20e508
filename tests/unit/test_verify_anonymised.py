"""verify-anonymised: every written form of a real value, searched in decoded text, with
no false alarms from binary pages (issue 11)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from qcode.core.anonymise.key import Key, save_key
from qcode.core.anonymise.verify import verify_files
from qcode.core.store import Project

from tests.conftest import write
from tests.cli.test_anonymise_leaks import transcript


def key_of(*values: tuple[str, str]) -> Key:
    key = Key()
    for value, category in values:
        key.assign(value, category)
    return key


def certain(hits) -> list[str]:
    return sorted(h.value for h in hits if h.certain)


def project_with(tmp_path: Path, text: str, name: str = "p01") -> Path:
    path = tmp_path / "p.qcode"
    with Project.create(path) as project:
        project.add_transcript(transcript(text, name), source_file=f"{name}.txt")
    return path


@pytest.mark.parametrize("written", ["555-010-0123", "(555) 010 0123", "+1 555 010 0123",
                                     "5550100123", "001 555.010.0123"])
def test_a_us_number_is_found_in_any_written_form(tmp_path: Path, written: str):
    key = key_of(("+15550100123", "phone"))
    path = write(tmp_path / "out.txt", f"P01: call me on {written} tonight.\n")
    assert certain(verify_files(key, [path])) == ["+15550100123"]


@pytest.mark.parametrize("written", ["07700 900417", "07700900417", "+44 7700 900417",
                                     "+44 (0)7700 900417", "0044-7700-900-417"])
def test_a_uk_number_is_found_in_any_written_form(tmp_path: Path, written: str):
    key = key_of(("+447700900417", "phone"))
    path = write(tmp_path / "out.txt", f"P01: ring {written}, or not.\n")
    assert certain(verify_files(key, [path])) == ["+447700900417"]


def test_other_numbers_are_no_hit(tmp_path: Path):
    key = key_of(("+447700900417", "phone"))
    path = write(tmp_path / "out.txt", "P01: 077009004170 and 17700900417 and 7700 900418.\n")
    assert verify_files(key, [path]) == []


def test_an_email_address_is_found_in_any_case(tmp_path: Path):
    key = key_of(("kirsty.b@example.org", "email"))
    path = write(tmp_path / "out.txt", "P01: write to Kirsty.B@EXAMPLE.org please.\n")
    assert certain(verify_files(key, [path])) == ["kirsty.b@example.org"]


def test_a_listed_name_rejected_once_in_review_is_still_sought(tmp_path: Path):
    key = key_of(("Ed", "person"), ("Jo", "person"), ("Will", "person"))
    key.rejected |= {"ed", "jo", "will"}
    path = write(tmp_path / "out.txt", "P01: I told Ed and Jo. Then Ed came, and Will said "
                 "no. Jo left. You will see.\n")
    hits = verify_files(key, [path])
    # "Ed" is no ordinary word: rejected or not, every occurrence is a hit. "Jo" is one
    # in the dictionary, but this text never uses it as a word: it is the name.
    assert certain(hits) == ["Ed", "Ed", "Jo", "Jo"]
    # "Will" is a word here too: judged the ordinary word in review, it is left to a
    # person's eye.
    assert [h.value for h in hits if not h.certain] == ["Will"]


def test_hits_say_where_they_are_in_a_project(tmp_path: Path):
    path = project_with(tmp_path, "P01: I met Kirsty Blackwood on Monday.\n")
    with Project.open(path) as project:
        project.record("note", "spoke about Kirsty Blackwood")
    key = key_of(("Kirsty Blackwood", "person"))
    places = {h.place.split(" row")[0] for h in verify_files(key, [path])}
    assert {"transcripts.text", "events.summary"} <= places


def test_a_name_escaped_in_json_is_found(tmp_path: Path):
    path = project_with(tmp_path, "P01: nothing here.\n")
    with Project.open(path) as project:
        project.record("note", "a note", old="Zoë Brontë")  # stored as "Zo\u00eb"
    key = key_of(("Zoë Brontë", "person"))
    [hit] = verify_files(key, [path])
    assert "JSON" in hit.place


def test_no_false_alarm_for_short_values_in_binary_pages(tmp_path: Path):
    """Old verify searched the raw bytes for 'Le' and 'Ph' and found them in b-tree and
    index pages; a project with enough text has such byte pairs by chance."""
    rng = random.Random(5)
    words = ["harbour", "market", "evening", "window", "garden", "ticket", "river",
             "council", "shelter", "morning", "number", "office", "station"]
    body = "\n\n".join(f"P0{i % 9 + 1}: " + " ".join(rng.choice(words) for _ in range(60))
                       + f" {rng.randrange(10**9)}." for i in range(3000))
    path = project_with(tmp_path, body)
    key = key_of(("Le", "person"), ("Ph", "person"), ("Kirsty", "person"))
    assert verify_files(key, [path, Path(f"{path}-wal")]) == []


def test_a_name_left_in_the_search_index_is_found(tmp_path: Path):
    path = project_with(tmp_path, "P01: Osei came in the evening.\n")
    key = key_of(("Osei", "person"))
    hits = verify_files(key, [path])
    assert {h.place.split(" ")[0] for h in hits} == {"transcripts.text"}
    with Project.open(path) as project:  # the text goes; a stale index keeps the word
        project.conn.execute("UPDATE transcripts SET text = "
                             "replace(text, 'Osei', '[Person 1]')")
    hits = verify_files(key, [path])
    assert [h.place for h in hits] == ["turns_fts index terms 'osei'"]


def test_a_name_with_an_invisible_character_is_found(tmp_path: Path):
    path = project_with(tmp_path, "P01: I met Kir\u00adsty Black\u200bwood and Ｋirsty.\n")
    key = key_of(("Kirsty Blackwood", "person"), ("Kirsty", "person"))
    hits = [h for h in verify_files(key, [path]) if h.place.startswith("transcripts.text")]
    # Offsets are characters of the text as stored, the hidden ones counted.
    text = "P01: I met Kir\u00adsty Black\u200bwood and Ｋirsty.\n"
    assert sorted((h.value, h.offset) for h in hits) == [
        ("Kirsty", text.index("Kir")), ("Kirsty", text.index("Ｋ")),
        ("Kirsty Blackwood", text.index("Kir"))]


def test_an_export_is_searched_member_by_member(tmp_path: Path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "out.qdpx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", "<Source name=\"O&apos;Brien&apos;s\"/>")
    key = key_of(("O'Brien", "person"))
    [hit] = verify_files(key, [tmp_path / "out.qdpx"])
    assert hit.place.startswith("project.qde character")


def test_the_command_names_each_hit_and_what_it_searched(run, tmp_path: Path):
    run("init")
    write(tmp_path / "p01.txt", "P01: call 555-010-0123 or mail KB@Example.org.\n")
    run("import", "p01.txt")
    key = key_of(("+15550100123", "phone"), ("kb@example.org", "email"))
    save_key(key, tmp_path / "k.json")
    result = run("verify-anonymised", "--key", "k.json", ok=False)
    lines = [line for line in result.output.splitlines() if "transcripts.text" in line]
    assert len(lines) == 2 and all("character" in line for line in lines), result.output
    write(tmp_path / "ids.csv", "value,category,pseudonym\nNadia Osei,person,\n")
    clean = key_of(("Nadia Osei", "person"))
    save_key(clean, tmp_path / "clean.json")
    result = run("verify-anonymised", "--key", "clean.json", "--identifiers", "ids.csv")
    assert result.output.startswith("ok: ") and "raw bytes" in result.output
    assert "4+ letters or digits" in result.output


def test_verify_leaves_the_project_folder_as_it_found_it(tmp_path: Path):
    path = project_with(tmp_path, "P01: hello.\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    verify_files(key_of(("Kirsty", "person")), [path, Path(f"{path}-wal")])
    assert sorted(p.name for p in tmp_path.iterdir()) == before
