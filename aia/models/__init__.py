"""The AIA domain model, one module per concept."""

from aia.models.assessment import Section
from aia.models.audit import CaseEvent
from aia.models.cases import Case, CaseReferenceCounter
from aia.models.comments import Comment
from aia.models.messaging import Notification, OutboxTask
from aia.models.options import Option, OptionDecision, OptionGap
from aia.models.reports import DecisionRecord, Report
from aia.models.reviews import Dissent, Review
from aia.models.security import AccessRecord, SecurityEvent
from aia.models.sources import Citation, Reliability, Source
from aia.models.submissions import Submission
from aia.models.triggers import Situation, Trigger
from aia.models.users import User

__all__ = [
    "AccessRecord",
    "Case",
    "CaseEvent",
    "CaseReferenceCounter",
    "Citation",
    "Comment",
    "DecisionRecord",
    "Dissent",
    "Notification",
    "Option",
    "OptionDecision",
    "OptionGap",
    "OutboxTask",
    "Reliability",
    "Report",
    "Review",
    "Section",
    "SecurityEvent",
    "Situation",
    "Source",
    "Submission",
    "Trigger",
    "User",
]
