"""Reads that span the roadmap's models, one module per page family."""

from roadmap.selectors.overview import (
    overview_stages,
    roadmap_overview,
    roadmap_print,
)
from roadmap.selectors.roadmap import (
    cached_coherence_facts,
    coherence_facts,
    roadmap_stamp,
    stage_progress,
    stages_with_progress,
)

__all__ = [
    "cached_coherence_facts",
    "coherence_facts",
    "overview_stages",
    "roadmap_overview",
    "roadmap_print",
    "roadmap_stamp",
    "stage_progress",
    "stages_with_progress",
]
