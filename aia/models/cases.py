import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from aia import guards, permissions
from aia.models.choices import FINISHED_STATES, CaseState, Decision, Marking, RiskTrend, Track

# States from which a case may still be withdrawn: everything before ``signed_off``.
WITHDRAWABLE_STATES = [
    CaseState.TRIGGERED,
    CaseState.SCOPING,
    CaseState.ASSESSMENT,
    CaseState.LEGAL_REVIEW,
    CaseState.OPTIONS,
    CaseState.OPTIONS_REVIEW,
    CaseState.SIGN_OFF,
]

# The case's references to people and to the case it follows, each indexed by a partial index.
_NAMED = ("lead_official", "legal_adviser", "sro", "minister", "signed_off_by", "previous_case")


class Case(FSMModelMixin, models.Model):
    """An Atrocity Impact Assessment of one situation, opened by a trigger.

    ``state`` is protected: it changes only through the transitions below, each taken by one
    service in ``aia.services.cases``. States:

    - ``triggered``: opened by a trigger; awaiting a team.
    - ``scoping``: team assigned; defining scope (situation, period, groups and crimes at risk).
    - ``assessment``: officials complete the risk analysis and the UK impact dimensions.
    - ``legal_review``: a legal adviser reviews the assessment.
    - ``options``: officials map the UK's options.
    - ``options_review``: a legal adviser reviews the options.
    - ``sign_off``: awaiting the SRO's sign-off.
    - ``signed_off``: signed off; the PDF report is rendered from a frozen snapshot.
    - ``with_minister``: the signed report is with the minister.
    - ``monitoring``: the minister's decision is recorded; agreed actions are tracked.
    - ``closed``: finished.
    - ``withdrawn``: abandoned, with a reason.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Unique by ``case_unique_reference`` (a constraint, not ``unique=True``: that would add a
    # second index for ``LIKE`` prefix searches, which nothing makes).
    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField(max_length=300)
    situation = models.ForeignKey("aia.Situation", on_delete=models.PROTECT, related_name="cases")
    state = FSMField(
        max_length=20, choices=CaseState.choices, default=CaseState.TRIGGERED, protected=True
    )
    marking = models.CharField(
        max_length=32, choices=Marking.choices, default=Marking.OFFICIAL_SENSITIVE
    )
    track = models.CharField(max_length=20, choices=Track.choices, default=Track.STANDARD)
    knowledge_date = models.DateField(
        help_text="The earliest qualifying trigger date: the day the duty to act arose."
    )
    # The assessment version: ``reopen`` starts a new one and keeps the old.
    version = models.PositiveIntegerField(default=1)
    previous_case = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="later_cases",
        db_index=False,  # see ``Meta.indexes``
    )

    # The team.
    lead_official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_led",
        db_index=False,  # see ``Meta.indexes``
    )
    officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cases_as_official"
    )
    legal_adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_advised",
        db_index=False,  # see ``Meta.indexes``
    )
    sro = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_owned",
        verbose_name="SRO",
        db_index=False,  # see ``Meta.indexes``
    )
    minister = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_for_decision",
        db_index=False,  # see ``Meta.indexes``
    )

    # The ministerial submission at the front of the signed report: written by the officials
    # with the options, approved by the legal adviser with them (aia.content.options_content).
    submission_issue = models.TextField(blank=True, help_text="The issue, in one paragraph.")
    submission_recommendation = models.TextField(blank=True)
    submission_handling = models.TextField(
        blank=True, help_text="Handling and communications: who to tell, and what to say."
    )
    submission_trend = models.CharField(
        max_length=20,
        choices=RiskTrend.choices,
        blank=True,
        help_text="Which way the risk is moving, in the submission's risk in brief.",
    )

    # Set by the transitions.
    opened_at = models.DateTimeField(default=timezone.now, editable=False)
    stage_started_at = models.DateTimeField(default=timezone.now)
    stage_deadline = models.DateField(
        null=True, blank=True, help_text="Last working day on which the current stage is on time."
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # see ``Meta.indexes``
    )
    submitted_to_minister_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)

    # Head of the hash-chained audit trail, so that removing the newest events shows too.
    event_count = models.PositiveIntegerField(default=0, editable=False)
    last_event_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["-opened_at"], name="case_opened_at_desc"),
            # The people and the earlier case a case names, indexed only where set: a case
            # opens with none of them, and a full index would take an entry for each null.
            # Lookups by value (``sro = …``, and the checks a user's or a case's deletion
            # makes) use them. The one question about a missing SRO (triggered cases awaiting
            # one, in the visibility filter) is answered while scanning the case list by
            # ``opened_at``, which no index of these served.
            *(
                models.Index(
                    fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"case_{name}"
                )
                for name in _NAMED
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="case_unique_reference"),
            models.UniqueConstraint(
                fields=["situation"],
                condition=~Q(state__in=FINISHED_STATES),
                name="case_one_open_case_per_situation",
            ),
        ]
        permissions = [
            ("view_all_cases", "Can see every case the user is cleared for"),
            ("assign_case", "Can take on a triggered case and assign its team (SRO)"),
            ("edit_case_content", "Can edit scope, assessment and options (official)"),
            ("review_case", "Can approve or return stages (legal adviser)"),
            ("sign_off_case", "Can sign off, submit, close, reopen and withdraw (SRO)"),
            ("decide_case", "Can record a ministerial decision (minister)"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state not in FINISHED_STATES

    def set_stage_deadline(self) -> None:
        """Set the current stage's deadline from its start, the state and the track."""
        from aia.deadlines import stage_deadline

        self.stage_deadline = stage_deadline(self.state, self.track, self.stage_started_at)

    def _enter_stage(self) -> None:
        self.stage_started_at = timezone.now()

    # --------------------------------------------------------------------------
    # Transitions. Bodies set only the case's own fields: the services do the rest.
    # --------------------------------------------------------------------------
    @transition(
        field=state,
        source=CaseState.TRIGGERED,
        target=CaseState.SCOPING,
        # The team is the transition's input, so its guard (guards.team_is_named) is checked by
        # case_assign once the team is set: as a condition here it would hide ``assign`` from
        # every SRO looking at a case that has no team yet.
        permission=permissions.can_assign,
    )
    def assign(self) -> None:
        self.assigned_at = timezone.now()
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.SCOPING,
        target=CaseState.ASSESSMENT,
        conditions=[guards.scope_is_complete],
        permission=permissions.can_start_assessment,
    )
    def start_assessment(self) -> None:
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.ASSESSMENT,
        target=CaseState.LEGAL_REVIEW,
        conditions=[guards.assessment_is_complete],
        permission=permissions.can_submit_assessment,
    )
    def submit_assessment(self) -> None:
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.LEGAL_REVIEW,
        target=CaseState.ASSESSMENT,
        permission=permissions.can_return_assessment,
    )
    def return_assessment(self) -> None:
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.LEGAL_REVIEW,
        target=CaseState.OPTIONS,
        permission=permissions.can_approve_assessment,
    )
    def approve_assessment(self) -> None:
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.OPTIONS,
        target=CaseState.OPTIONS_REVIEW,
        conditions=[guards.core_options_covered],
        permission=permissions.can_submit_options,
    )
    def submit_options(self) -> None:
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.OPTIONS_REVIEW,
        target=CaseState.OPTIONS,
        permission=permissions.can_return_options,
    )
    def return_options(self) -> None:
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.OPTIONS_REVIEW,
        target=CaseState.SIGN_OFF,
        permission=permissions.can_approve_options,
    )
    def approve_options(self) -> None:
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.SIGN_OFF,
        target=CaseState.OPTIONS,
        permission=permissions.can_return_for_revision,
    )
    def return_for_revision(self) -> None:
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.SIGN_OFF,
        target=CaseState.SIGNED_OFF,
        permission=permissions.can_sign_off,
    )
    def sign_off(self, *, by) -> None:
        self.signed_off_at = timezone.now()
        self.signed_off_by = by
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.SIGNED_OFF,
        target=CaseState.WITH_MINISTER,
        conditions=[guards.signed_report_is_ready],
        permission=permissions.can_submit_to_minister,
    )
    def submit_to_minister(self) -> None:
        self.submitted_to_minister_at = timezone.now()
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.WITH_MINISTER,
        target=CaseState.MONITORING,
        permission=permissions.can_record_decision,
    )
    def record_decision(self, *, decision: str, note: str) -> None:
        self.decision = decision
        self.decision_note = note
        self.decided_at = timezone.now()
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.WITH_MINISTER,
        target=CaseState.OPTIONS,
        permission=permissions.can_request_revision,
    )
    def request_revision(self) -> None:
        self.signed_off_at = None
        self.signed_off_by = None
        self.submitted_to_minister_at = None
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.MONITORING,
        target=CaseState.CLOSED,
        permission=permissions.can_close,
    )
    def close(self, *, note: str) -> None:
        self.closing_note = note
        self.closed_at = timezone.now()
        self._enter_stage()

    @transition(
        field=state,
        source=CaseState.MONITORING,
        target=CaseState.ASSESSMENT,
        permission=permissions.can_reopen,
    )
    def reopen(self) -> None:
        self.version += 1
        self.reopened_at = timezone.now()
        self.signed_off_at = None
        self.signed_off_by = None
        self.submitted_to_minister_at = None
        self.decision = ""
        self.decision_note = ""
        self.decided_at = None
        self._enter_stage()

    @transition(
        field=state,
        source=WITHDRAWABLE_STATES,
        target=CaseState.WITHDRAWN,
        permission=permissions.can_withdraw,
    )
    def withdraw(self, *, reason: str) -> None:
        self.withdrawal_reason = reason
        self.withdrawn_at = timezone.now()
        self._enter_stage()


class CaseReferenceCounter(models.Model):
    """The last case number issued in a year, for references like ``AIA-2026-0001``."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
