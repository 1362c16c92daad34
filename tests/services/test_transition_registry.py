"""The transitions' table (``aia.services.transitions``) agrees with the model's graph and with
the services it names."""

import inspect

from aia.models import Case, Notification
from aia.services.notifications import TEAM
from aia.services.transitions import TRANSITIONS


def test_the_table_names_exactly_the_models_transitions():
    assert set(TRANSITIONS) == {t.name for t in Case().get_all_state_transitions()}
    assert all(name == spec.name for name, spec in TRANSITIONS.items())


def test_who_may_take_each_transition_is_the_predicate_the_model_names():
    for transition in Case().get_all_state_transitions():
        assert TRANSITIONS[transition.name].permission is transition.permission, transition.name


def test_each_service_takes_the_case_the_actor_and_exactly_the_inputs_listed():
    for name, spec in TRANSITIONS.items():
        parameters = inspect.signature(spec.service).parameters
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values()), name
        assert set(parameters) == {"case", "actor", *spec.input_names()}, name
        for field in spec.inputs:
            # A required input has no default in the service; an optional one has.
            has_default = parameters[field.name].default is not inspect.Parameter.empty
            assert has_default != field.required, (name, field.name)


def test_notices_name_a_kind_of_notification_and_positions_on_the_team():
    for name, spec in TRANSITIONS.items():
        assert bool(spec.notice) == bool(spec.notifies), name
        if spec.notice:
            assert spec.notice in Notification.Kind.values, name
            assert set(spec.notifies) <= set(TEAM), name


def test_people_read_every_transition_in_words():
    for name, spec in TRANSITIONS.items():
        for wording in (spec.who, spec.button, spec.title, spec.submit, spec.success):
            assert wording.strip(), name
            assert "_" not in wording, (name, wording)
        assert all(field.label and "_" not in field.label for field in spec.inputs), name
