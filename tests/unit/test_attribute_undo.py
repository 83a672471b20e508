"""Setting a case's attributes is one undoable action: undo puts back the values
before (and the case, when the action made it), redo sets them again."""

from __future__ import annotations

import pytest

from qcode.core.store import ProjectError


@pytest.fixture
def ana(project):
    project.coder = "ana"
    project.set_attributes("P01", {"role": "Detective", "age": "41"})
    return project


def values(project, case: str = "P01") -> dict:
    return next((c.values for c in project.all_cases() if c.name == case), None)


def test_undo_puts_back_the_values_before_and_redo_sets_them_again(ana):
    ana.set_attributes("P01", {"role": "Sergeant", "age": ""})
    assert values(ana) == {"role": "Sergeant"}
    step = ana.next_step("undo")
    assert (step.action, step.told) == ("set attributes", "case P01: role=Sergeant, age=")
    ana.undo(step.event_id)
    assert values(ana) == {"role": "Detective", "age": "41"}
    ana.redo()
    assert values(ana) == {"role": "Sergeant"}


def test_undo_of_the_first_values_removes_the_case_it_made(ana):
    ana.undo()
    assert values(ana) is None
    ana.redo()
    assert values(ana) == {"role": "Detective", "age": "41"}


def test_a_value_set_as_it_was_is_not_an_action_to_undo(ana):
    ana.set_attributes("P01", {"role": "Detective"})
    assert ana.next_step("undo").told == "case P01: role=Detective, age=41"


def test_undo_is_refused_when_the_value_was_changed_since_by_another_coder(ana):
    ana.set_attributes("P01", {"role": "Sergeant"}, actor="ben")
    with pytest.raises(ProjectError, match="attribute it touched was changed since"):
        ana.undo()
    assert values(ana) == {"role": "Sergeant", "age": "41"}


def test_the_attribute_type_follows_the_value_through_undo(ana):
    ana.set_attributes("P01", {"age": "forty"})
    ana.undo()
    assert ana.conn.execute("SELECT type FROM attributes WHERE name = 'age'"
                            ).fetchone()[0] == "integer"
