"""The tables of the whole product, grouped by area; import from here."""
from .base import utcnow
from .people import Avatar, Membership, Role, Team, User
from .identity import GroupMapping, UserIdentity
from .challenges import (
    Badge,
    BadgeRule,
    BadgeScope,
    Cadence,
    Challenge,
    ChallengeStatus,
    ChallengeTeam,
    LeaderboardMode,
    Mission,
    MissionApproval,
    MissionKind,
    MissionSkill,
    Skill,
)
from .play import (
    AssessmentPhase,
    BadgeAward,
    Completion,
    CompletionStatus,
    Enrolment,
    Feedback,
    Kudos,
    PointAdjustment,
    PointEvent,
    PointReason,
    SelfAssessment,
)
from .reflection import (
    Lesson,
    LessonSummary,
    LessonSummaryVersion,
    LlmCall,
    PromptStatus,
    Reflection,
    ReflectionPrompt,
    SummaryStatus,
    Visibility,
)
from .system import DigestSent, JobStatus, Notification, NotificationPreference, OutboxJob
from .onboarding import Email, ImportStatus, Invitation, PasswordReset, PeopleImport
from .credentials import BadgeCredential, IssuerKey
from .api_tokens import ApiToken, TokenScope
from .outbound import ChatHook, DeliveryAttempt, DeliveryStatus, OutboundDelivery, WebhookEndpoint
from .monitoring import (
    ActivityDayBits,
    ActivityTotal,
    MissionCompleter,
    MissionCompleterDayBits,
    MissionDay,
    MissionTotal,
    RollupState,
    TeamDay,
    TeamTotal,
)

__all__ = [
    "ApiToken", "TokenScope",
    "ActivityDayBits", "ActivityTotal", "MissionCompleter", "MissionCompleterDayBits", "MissionDay", "MissionTotal", "RollupState", "TeamDay", "TeamTotal",
    "AssessmentPhase", "Avatar", "Badge", "BadgeAward", "BadgeCredential", "Cadence", "BadgeRule", "BadgeScope", "Challenge", "ChallengeStatus", "ChallengeTeam",
    "Completion", "CompletionStatus", "Enrolment", "Feedback", "GroupMapping", "IssuerKey", "JobStatus", "Kudos", "LeaderboardMode", "Lesson",
    "LessonSummary", "LessonSummaryVersion", "LlmCall", "Membership", "Mission", "MissionApproval", "MissionKind", "MissionSkill",
    "DigestSent", "Notification", "NotificationPreference", "OutboxJob", "PointAdjustment", "PointEvent", "PointReason", "PromptStatus", "Reflection",
    "ReflectionPrompt", "Role", "SelfAssessment", "Skill", "SummaryStatus", "Team", "User", "UserIdentity",
    "Visibility", "utcnow",
    "Email", "ImportStatus", "Invitation", "PasswordReset", "PeopleImport",
    "ChatHook", "DeliveryAttempt", "DeliveryStatus", "OutboundDelivery", "WebhookEndpoint",
]
