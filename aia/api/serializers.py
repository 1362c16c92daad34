"""Output serializers shared by several endpoints. Input serializers live in their view."""

import datetime

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from aia.api.fields import BlankAsNullChoiceField
from aia.deadlines import case_clock
from aia.framework import SECTION_CODES
from aia.models.choices import (
    CORE_OPTION_CATEGORIES,
    CaseState,
    Crime,
    Decision,
    Finding,
    Instrument,
    LeadDepartment,
    Level,
    Marking,
    OptionCategory,
    Recommendation,
    Track,
    TriggerKind,
    TriggerOutcome,
)

# Choice sets the API adds to the models' own (named in SPECTACULAR_SETTINGS).
TRIGGER_OUTCOME_CHOICES = [(outcome.value, outcome.value) for outcome in TriggerOutcome]
CORE_CATEGORY_CHOICES = [(c.value, c.label) for c in CORE_OPTION_CATEGORIES]
OPTION_DECISION_CHOICES = [(Decision.AGREED, "Agreed"), (Decision.NOT_AGREED, "Not agreed")]
SECTION_CODE_CHOICES = [(code, code) for code in SECTION_CODES]


_DATETIME = serializers.DateTimeField()
# ``get_state_display`` without the model field's choice flattening on every call.
STATE_LABELS = dict(CaseState.choices)


def _datetime(value, zone: datetime.tzinfo | None = None) -> str | None:
    """``DateTimeField().to_representation(value)``; with ``zone`` (the current time zone,
    looked up once per page by the caller) without DRF's per-call lookups, for the aware ISO
    8601 datetimes AIA stores."""
    if value is None:
        return None
    output = getattr(_DATETIME, "format", api_settings.DATETIME_FORMAT)
    if zone is None or timezone.is_naive(value) or str(output).lower() != ISO_8601:
        return _DATETIME.to_representation(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _user(user) -> dict[str, str] | None:
    return None if user is None else {"username": user.username, "name": user.display_name}


class UserRefSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")

    class Meta:
        ref_name = "UserRef"


class SituationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    country_code = serializers.CharField(help_text="ISO 3166-1 alpha-2 code.")
    name = serializers.CharField()
    area = serializers.CharField(help_text="Sub-national area; empty when none.")

    class Meta:
        ref_name = "Situation"


class CaseRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    state = serializers.ChoiceField(choices=CaseState.choices)

    class Meta:
        ref_name = "CaseRef"


class TeamSerializer(serializers.Serializer):
    lead_official = UserRefSerializer(allow_null=True)
    officials = UserRefSerializer(many=True)
    legal_adviser = UserRefSerializer(allow_null=True)
    sro = UserRefSerializer(allow_null=True)
    minister = UserRefSerializer(allow_null=True)

    class Meta:
        ref_name = "Team"


class DeadlinesSerializer(serializers.Serializer):
    stage_started_at = serializers.DateTimeField(help_text="When the current stage began.")
    stage_deadline = serializers.DateField(
        allow_null=True,
        help_text="The last working day (England and Wales) on which the current stage is on "
        "time; null for monitoring and the finished states.",
    )
    working_days_left = serializers.IntegerField(
        allow_null=True, help_text="Working days from today to the deadline; negative when late."
    )
    overdue = serializers.BooleanField(help_text="Whether today is past the deadline.")

    class Meta:
        ref_name = "Deadlines"

    def to_representation(self, case) -> dict:
        return _deadlines(case)


def _deadlines(case, today: datetime.date | None = None, zone=None) -> dict:
    clock = case_clock(case, today)
    return {
        "stage_started_at": _datetime(case.stage_started_at, zone),
        "stage_deadline": clock.deadline.isoformat() if clock.deadline else None,
        "working_days_left": clock.working_days_left,
        "overdue": clock.overdue,
    }


class TriggerBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=TriggerKind.choices)
    instrument = serializers.ChoiceField(choices=Instrument.choices)
    source_body = serializers.CharField()
    reference = serializers.CharField()
    title = serializers.CharField()
    finding_date = serializers.DateField()
    finding = serializers.ChoiceField(choices=Finding.choices)
    crimes = serializers.ListField(child=serializers.ChoiceField(choices=Crime.choices))
    source_url = serializers.CharField(help_text="Empty when none.")
    received_at = serializers.DateTimeField()
    outcome = serializers.ChoiceField(
        choices=TRIGGER_OUTCOME_CHOICES,
        help_text="What ingestion did: opened a case, joined an open one, or reopened one.",
    )

    class Meta:
        ref_name = "TriggerBrief"


class CaseListItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField(help_text="Human reference, like AIA-2026-0001.")
    title = serializers.CharField()
    situation = SituationSerializer()
    state = serializers.ChoiceField(choices=CaseState.choices)
    state_display = serializers.CharField(source="get_state_display")
    marking = serializers.ChoiceField(choices=Marking.choices)
    track = serializers.ChoiceField(choices=Track.choices)
    knowledge_date = serializers.DateField(
        help_text="The earliest qualifying trigger date: the day the duty to act arose."
    )
    version = serializers.IntegerField(help_text="Assessment version; reopening adds one.")
    team = TeamSerializer(source="*")
    deadlines = DeadlinesSerializer(source="*")
    opened_at = serializers.DateTimeField()
    signed_off_at = serializers.DateTimeField(allow_null=True)
    decision = BlankAsNullChoiceField(
        choices=Decision.choices, help_text="The minister's decision, once recorded."
    )

    class Meta:
        ref_name = "CaseListItem"

    def to_representation(self, case) -> dict:
        # Written out by hand because the list renders up to 100 cases per request and DRF's
        # generic field machinery costs more than the queries do. It must give exactly what
        # the declared fields give: tests compare the two, and the schema fuzz checks it.
        # The list passes the team in the context (aia.api.selectors.case_list_page); one
        # case comes with its team joined.
        people = self.context.get("people")
        if people is None:
            team = {
                "lead_official": _user(case.lead_official),
                "officials": [_user(official) for official in case.officials.all()],
                "legal_adviser": _user(case.legal_adviser),
                "sro": _user(case.sro),
                "minister": _user(case.minister),
            }
        else:
            official_ids = self.context["officials"].get(case.pk, [])
            team = {
                "lead_official": _user(people.get(case.lead_official_id)),
                "officials": [_user(people[user_id]) for user_id in official_ids],
                "legal_adviser": _user(people.get(case.legal_adviser_id)),
                "sro": _user(people.get(case.sro_id)),
                "minister": _user(people.get(case.minister_id)),
            }
        # Today and the time zone are the same for every item of a page: look them up once.
        if not hasattr(self, "_now"):
            self._now = (timezone.localdate(), timezone.get_current_timezone())
        today, zone = self._now
        situation = case.situation
        return {
            "id": str(case.pk),
            "reference": case.reference,
            "title": case.title,
            "situation": {
                "id": situation.pk,
                "country_code": situation.country_code,
                "name": situation.name,
                "area": situation.area,
            },
            "state": case.state,
            "state_display": str(STATE_LABELS.get(case.state, case.state)),
            "marking": case.marking,
            "track": case.track,
            "knowledge_date": case.knowledge_date.isoformat(),
            "version": case.version,
            "team": team,
            "deadlines": _deadlines(case, today, zone),
            "opened_at": _datetime(case.opened_at, zone),
            "signed_off_at": _datetime(case.signed_off_at, zone),
            "decision": case.decision or None,
        }


class CaseSubmissionSerializer(serializers.Serializer):
    """The submission to the minister that opens the signed report (read-only here: officials
    write it in the browser with the options)."""

    issue = serializers.CharField(source="submission_issue", help_text="The issue, one paragraph.")
    recommendation = serializers.CharField(source="submission_recommendation")
    handling = serializers.CharField(
        source="submission_handling", help_text="Handling and communications."
    )
    trend = serializers.CharField(
        source="submission_trend",
        help_text="Which way the risk is moving: `worsening`, `no_clear_change`, `improving`, "
        "or empty when not stated.",
    )

    class Meta:
        ref_name = "CaseSubmission"


class CaseDetailSerializer(CaseListItemSerializer):
    triggers = TriggerBriefSerializer(many=True)
    submission = CaseSubmissionSerializer(
        source="*",
        read_only=True,
        help_text="The submission to the minister, written with the options and approved by "
        "the legal adviser with them; empty strings until written.",
    )
    available_transitions = serializers.SerializerMethodField(
        help_text="The transitions you may take now, computed from the state machine."
    )
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()
    previous_case = serializers.UUIDField(
        source="previous_case_id", allow_null=True, help_text="The earlier case of the situation."
    )

    class Meta:
        ref_name = "CaseDetail"

    def to_representation(self, case) -> dict:
        # The list item's fast rendering, then the detail's own fields the generic way.
        data = super().to_representation(case)
        for name in (
            "triggers",
            "submission",
            "available_transitions",
            "decided_at",
            "decision_note",
        ):
            field = self.fields[name]
            data[name] = field.to_representation(field.get_attribute(case))
        data["previous_case"] = str(case.previous_case_id) if case.previous_case_id else None
        return data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_transitions(self, case) -> list[str]:
        return self.context["available_transitions"]


class OptionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    version = serializers.IntegerField()
    category = serializers.ChoiceField(choices=OptionCategory.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    target_actors = serializers.CharField()
    lead_department = serializers.ChoiceField(choices=LeadDepartment.choices)
    expected_effect = serializers.ChoiceField(choices=Level.choices)
    feasibility = serializers.ChoiceField(choices=Level.choices)
    risk_of_harm = serializers.ChoiceField(choices=Level.choices)
    mitigation = serializers.CharField()
    timeframe = serializers.CharField()
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    rationale = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = UserRefSerializer()
    updated_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawal_reason = serializers.CharField()
    decision = serializers.ChoiceField(
        source="minister_decision.decision",
        choices=OPTION_DECISION_CHOICES,
        allow_null=True,
        help_text="The minister's decision on this option, once recorded: only recommended "
        "options are decided; null before the decision and for the others.",
    )

    class Meta:
        ref_name = "Option"
