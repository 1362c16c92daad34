"""Enumerations shared by the models, services and interfaces.

Values marked *contract* are relied on by API clients (docs/architecture.md, *Contract
names*): never rename them.
"""

from django.db import models


class Marking(models.TextChoices):
    """Protective markings a case may carry, lowest first (contract)."""

    OFFICIAL = "OFFICIAL", "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"

    @classmethod
    def covered_by(cls, clearance: str) -> list[str]:
        """Return the markings a user with ``clearance`` may read."""
        order = [m.value for m in cls]
        if clearance not in order:
            return []
        return order[: order.index(clearance) + 1]

    @classmethod
    def clearances_covering(cls, marking: str) -> list[str]:
        """Return the clearances that may read ``marking``."""
        order = [m.value for m in cls]
        if marking not in order:
            return []
        return order[order.index(marking) :]


class Role(models.TextChoices):
    """The five roles (docs/architecture.md, *Roles*), each a Django Group of the same name
    (contract)."""

    OFFICIAL = "official", "Official"
    LEGAL_ADVISER = "legal_adviser", "Legal adviser"
    SRO = "sro", "Senior Responsible Owner"
    MINISTER = "minister", "Minister"
    AUDITOR = "auditor", "Auditor"


class CaseState(models.TextChoices):
    """States of a case (contract). See ``Case`` for what each means."""

    TRIGGERED = "triggered", "Triggered"
    SCOPING = "scoping", "Scoping"
    ASSESSMENT = "assessment", "Assessment"
    LEGAL_REVIEW = "legal_review", "Legal review"
    OPTIONS = "options", "Options"
    OPTIONS_REVIEW = "options_review", "Options review"
    SIGN_OFF = "sign_off", "Awaiting sign-off"
    SIGNED_OFF = "signed_off", "Signed off"
    WITH_MINISTER = "with_minister", "With the minister"
    MONITORING = "monitoring", "Monitoring"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# States in which a case is finished; every other state counts as open.
FINISHED_STATES = (CaseState.CLOSED, CaseState.WITHDRAWN)


class Track(models.TextChoices):
    STANDARD = "standard", "Standard"
    EXPEDITED = "expedited", "Expedited"


class TriggerKind(models.TextChoices):
    """The three kinds of warning (docs/architecture.md, *Why AIA exists*), with courts split
    in two (contract), and an SRO's discretionary assessment, opened without one
    (docs/architecture.md, *Discretionary assessments*)."""

    ICJ_FINDING = "icj_finding", "ICJ finding"
    OTHER_COURT_FINDING = "other_court_finding", "Finding of another court"
    INQUIRY_FINDING = "inquiry_finding", "Commission of Inquiry or Fact-Finding Mission finding"
    SPECIAL_ADVISER_NOTIFICATION = (
        "special_adviser_notification",
        "Notification by the UN Special Advisers",
    )
    DISCRETIONARY = "discretionary", "Discretionary assessment opened by an SRO"


# The kinds that oblige the UK to assess (docs/architecture.md, *Why AIA exists*); the API
# ingests only these, and a discretionary assessment is opened in the browser by an SRO.
QUALIFYING_TRIGGER_KINDS = tuple(k for k in TriggerKind if k != TriggerKind.DISCRETIONARY)


class TriggerOutcome(models.TextChoices):
    """What intake did with a trigger (contract: the API's ``outcome``)."""

    OPENED = "opened", "Opened a new case"
    JOINED = "joined", "Joined the open case on the situation"
    REOPENED = "reopened", "Reopened the case on the situation"


class Instrument(models.TextChoices):
    """The kind of document that carries a finding."""

    PROVISIONAL_MEASURES_ORDER = "provisional_measures_order", "Order on provisional measures"
    JUDGMENT = "judgment", "Judgment"
    REPORT = "report", "Report"
    STATEMENT = "statement", "Statement or briefing"
    OTHER = "other", "Other"


class Finding(models.TextChoices):
    SERIOUS_RISK = "serious_risk", "Serious risk"
    ONGOING = "ongoing", "Ongoing"


class Crime(models.TextChoices):
    GENOCIDE = "genocide", "Genocide"
    CRIMES_AGAINST_HUMANITY = "crimes_against_humanity", "Crimes against humanity"
    WAR_CRIMES = "war_crimes", "War crimes"
    ETHNIC_CLEANSING = "ethnic_cleansing", "Ethnic cleansing"


class SectionKind(models.TextChoices):
    SCOPE = "scope", "Scope"
    RISK_FACTOR = "risk_factor", "Risk factor"
    FOOTPRINT = "footprint", "UK footprint"
    DIMENSION = "dimension", "AIA dimension"


class SectionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"


class Rating(models.TextChoices):
    """How far a risk factor is present (contract)."""

    PRESENT = "present", "Present"
    PARTIALLY_PRESENT = "partially_present", "Partially present"
    ABSENT = "absent", "Absent"
    UNKNOWN = "unknown", "Unknown"


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Capacity(models.TextChoices):
    """The UK's capacity on a dimension, or its exposure in the footprint (contract)."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    NONE = "none", "None"


class Level(models.TextChoices):
    """Expected effect, feasibility and risk of harm of an option (contract)."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class OptionCategory(models.TextChoices):
    DIPLOMACY = "diplomacy", "Diplomacy"
    SANCTIONS = "sanctions", "Sanctions"
    LEGAL = "legal", "Legal avenues"
    LEVERAGE = "leverage", "Leverage"
    PROTECTION = "protection", "Protection"
    DEFENCE = "defence", "Defence"
    INFORMATION = "information", "Information"
    PROGRAMMATIC = "programmatic", "Programmatic"


# Each core category needs an option or a recorded reason why none before `submit_options`
# (docs/architecture.md, *Transitions* and *Options*).
CORE_OPTION_CATEGORIES = (
    OptionCategory.DIPLOMACY,
    OptionCategory.SANCTIONS,
    OptionCategory.LEGAL,
    OptionCategory.LEVERAGE,
)


class LeadDepartment(models.TextChoices):
    FCDO = "fcdo", "FCDO"
    HMT_OFSI = "hmt_ofsi", "HM Treasury / OFSI"
    DBT_ECJU = "dbt_ecju", "DBT / Export Control Joint Unit"
    HOME_OFFICE = "home_office", "Home Office"
    MOD = "mod", "Ministry of Defence"
    CABINET_OFFICE = "cabinet_office", "Cabinet Office"
    OTHER = "other", "Other"


class RiskTrend(models.TextChoices):
    """Which way the risk of atrocity crimes is moving, as the submission tells the minister."""

    WORSENING = "worsening", "Getting worse"
    NO_CLEAR_CHANGE = "no_clear_change", "No clear change"
    IMPROVING = "improving", "Improving"


class Recommendation(models.TextChoices):
    RECOMMENDED = "recommended", "Recommended"
    FOR_CONSIDERATION = "for_consideration", "For consideration"
    NOT_RECOMMENDED = "not_recommended", "Not recommended"


class Stage(models.TextChoices):
    """A stage whose content is reviewed: approvals and dissents attach to one."""

    ASSESSMENT = "assessment", "Assessment"
    OPTIONS = "options", "Options"
    SIGN_OFF = "sign_off", "Sign-off"
    MINISTER = "minister", "Ministerial decision"


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class Decision(models.TextChoices):
    """The minister's decision (contract)."""

    AGREED = "agreed", "Agreed"
    AGREED_IN_PART = "agreed_in_part", "Agreed in part"
    NOT_AGREED = "not_agreed", "Not agreed"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class DecisionRecordKind(models.TextChoices):
    """What a decision record answers the signed report with."""

    DECISION = "decision", "Decision recorded"
    REVISION = "revision", "Revision requested"


class EventType(models.TextChoices):
    """What a ``CaseEvent`` records."""

    CASE_OPENED = "case_opened", "Case opened"
    TRIGGER_RECEIVED = "trigger_received", "Trigger received"
    TRIGGER_JOINED = "trigger_joined", "Trigger joined the case"
    TRANSITION = "transition", "State changed"
    TEAM_CHANGED = "team_changed", "Team changed"
    SECTION_UPDATED = "section_updated", "Section updated"
    OPTION_CREATED = "option_created", "Option added"
    OPTION_UPDATED = "option_updated", "Option changed"
    OPTION_WITHDRAWN = "option_withdrawn", "Option withdrawn"
    OPTION_GAP_RECORDED = "option_gap_recorded", "Reason for no option recorded"
    SUBMISSION_UPDATED = "submission_updated", "Submission to the minister changed"
    REVIEW_VOIDED = "review_voided", "Approval voided by a change"
    DISSENT_RECORDED = "dissent_recorded", "Dissent recorded"
    COMMENT_ADDED = "comment_added", "Comment added"
    COMMENT_REPLIED = "comment_replied", "Reply to a comment"
    COMMENT_RESOLVED = "comment_resolved", "Comment resolved"
    SOURCE_ADDED = "source_added", "Source added to the library"
    SOURCE_CITED = "source_cited", "Source cited"
    SOURCE_UNCITED = "source_uncited", "Source no longer cited"
    REPORT_QUEUED = "report_queued", "Report queued"
    REPORT_RENDERED = "report_rendered", "Report rendered"
    REPORT_FAILED = "report_failed", "Report rendering failed"
    REPORT_SUPERSEDED = "report_superseded", "Report superseded"
    REPORT_DOWNLOADED = "report_downloaded", "Report downloaded"
    DECISION_RECORD_QUEUED = "decision_record_queued", "Decision record queued"
    DECISION_RECORD_RENDERED = "decision_record_rendered", "Decision record rendered"
    DECISION_RECORD_FAILED = "decision_record_failed", "Decision record rendering failed"
    DECISION_RECORD_DOWNLOADED = "decision_record_downloaded", "Decision record downloaded"
    REMINDER_SENT = "reminder_sent", "Deadline reminder sent"
    ESCALATED = "escalated", "Overdue stage escalated to the SRO"


# Events that count as contributing to a stage's content, for the four-eyes rule.
CONTENT_EVENT_TYPES = (
    EventType.SECTION_UPDATED,
    EventType.OPTION_CREATED,
    EventType.OPTION_UPDATED,
    EventType.OPTION_WITHDRAWN,
    EventType.OPTION_GAP_RECORDED,
    EventType.SUBMISSION_UPDATED,
    EventType.SOURCE_CITED,
    EventType.SOURCE_UNCITED,
)
