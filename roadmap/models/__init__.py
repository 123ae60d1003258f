"""The roadmap app's models, one module per family (app label ``roadmap``)."""

from roadmap.models.audit import AuditEvent
from roadmap.models.base import (
    RoadmapItemQuerySet,
    RoadmapQuerySet,
    ScopedQuerySet,
    StageItemQuerySet,
    Versioned,
)
from roadmap.models.items import (
    ActionItem,
    Axis,
    FundingLine,
    Indicator,
    Infrastructure,
    InvestmentProject,
    LocalActor,
    Measurement,
    Need,
    Partnership,
    Risk,
    Skill,
    SocialCondition,
    TrainingAction,
)
from roadmap.models.pins import PinnedFigure
from roadmap.models.roadmap import (
    Roadmap,
    Stage,
    StageComment,
    StageQuerySet,
    StageTransition,
)
from roadmap.models.thresholds import (
    DEFAULT_CROWDING_OUT_THRESHOLD_PCT,
    AlertThreshold,
)

__all__ = [
    "DEFAULT_CROWDING_OUT_THRESHOLD_PCT",
    "ActionItem",
    "AlertThreshold",
    "AuditEvent",
    "Axis",
    "FundingLine",
    "Indicator",
    "Infrastructure",
    "InvestmentProject",
    "LocalActor",
    "Measurement",
    "Need",
    "Partnership",
    "PinnedFigure",
    "Risk",
    "Roadmap",
    "RoadmapItemQuerySet",
    "RoadmapQuerySet",
    "ScopedQuerySet",
    "Skill",
    "SocialCondition",
    "Stage",
    "StageComment",
    "StageItemQuerySet",
    "StageQuerySet",
    "StageTransition",
    "TrainingAction",
    "Versioned",
]
