"""Seeded national demo: a roadmap for every basin, with history.

Every basin already in the database (run ``import_zones --wet-run`` first)
gets a roadmap with realistic items in French on its six stages, indicators
with five years of quarterly measurements, a risk register, comments, status
changes (some stages submitted, validated or returned) and the history of
all of it. Some roadmaps are made to trigger each dashboard alert: shared NAF
divisions in a region, crowding-out funding, stages submitted with gaps or
investments before the skills plan, inactivity, stale indicators.

Fast: rows are written with ``bulk_create`` (a few thousand per query), and
each write is recorded as an AuditEvent, also in bulk, with the same
``changes`` the services would record. Dates are spread over the past two
years, so the generated history has a past: while generating, the
``auto_now``/``auto_now_add`` flags of the models concerned are lifted and
every date is set explicitly.

The same ``--seed`` gives the same data. Basins that already have a roadmap
for the period are skipped, unless ``--reset`` deletes those roadmaps first.
"""

import random
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from basins.enums import Role
from basins.models import Basin, Membership
from diagnostics import metrics, selectors
from diagnostics.models import NafDivision
from roadmap import models as m
from roadmap.enums import (
    ActionStatus,
    ActorKind,
    AuditAction,
    AuthorRole,
    AxisKind,
    FricheStatus,
    FundingKind,
    IndicatorKind,
    InfrastructureKind,
    PartnershipStatus,
    ProjectKind,
    ProviderKind,
    RiskKind,
    SkillCategory,
    SocialAspect,
    StageKind,
    StageStatus,
)
from roadmap.services import SEED_INDICATORS, diff, snapshot

BATCH = 2000
COMPETING_SHARE = 0.06  # basins that aim at a division a neighbour took
MAX_SHARING = 3  # basins of a region on one division, at most
DEMO_PASSWORD = "demo-bassins-2026"  # noqa: S105 (a demo password, printed)

# Divisions that reindustrialisation axes aim at: manufacturing (10-33) and
# neighbouring industry and services. A basin's axes are taken among those
# it has (in its SIRENE stock), its specialisations first; the basins of a
# region pick different ones, except the few planned to share one (what the
# competition alert is about: two or three basins per region at most).
AXIS_DIVISIONS = [
    *(f"{code}" for code in range(10, 34)),
    "35", "36", "37", "38", "39", "42", "46", "49", "52", "62", "71", "72",
]  # fmt: skip

JOBS = [
    ("Soudeur / soudeuse", SkillCategory.SKILLED_WORKER),
    ("Chaudronnier / chaudronnière", SkillCategory.SKILLED_WORKER),
    ("Opérateur / opératrice de production", SkillCategory.SKILLED_WORKER),
    ("Usineur / usineuse sur commande numérique", SkillCategory.SKILLED_WORKER),
    ("Électromécanicien / électromécanicienne", SkillCategory.TECHNICIAN),
    ("Technicien / technicienne de maintenance", SkillCategory.TECHNICIAN),
    ("Technicien / technicienne qualité", SkillCategory.TECHNICIAN),
    ("Automaticien / automaticienne", SkillCategory.TECHNICIAN),
    ("Ingénieur / ingénieure procédés", SkillCategory.ENGINEER),
    ("Ingénieur / ingénieure en matériaux composites", SkillCategory.ENGINEER),
    ("Roboticien / roboticienne", SkillCategory.ENGINEER),
    ("Frigoriste", SkillCategory.RARE),
    ("Forgeron / forgeronne industriel", SkillCategory.RARE),
    ("Plasturgiste régleur / régleuse", SkillCategory.RARE),
]
NEEDS = [
    "Former des techniciens de maintenance",
    "Loger les apprentis et les saisonniers",
    "Desservir la zone d'activités en transport en commun",
    "Requalifier la friche industrielle",
    "Raccorder la zone au réseau électrique haute tension",
    "Attirer des ingénieurs dans le bassin",
    "Accompagner la transmission des PME",
    "Mutualiser les achats des sous-traitants",
]
FIRM_WORDS = [
    "Mécanique", "Plasturgie", "Métallerie", "Composites", "Usinage",
    "Fonderie", "Électronique", "Emballages", "Textiles", "Bois",
]  # fmt: skip
FIRM_SUFFIXES = ["SAS", "SARL", "SA", "et Fils", "Industrie", "Précision"]
CONTRACTORS = [
    "Groupe Aéronautique du Sud",
    "Constructeur Ferroviaire National",
    "Équipementier Automobile France",
    "Énergies Nouvelles Industrie",
    "Chantiers Navals Réunis",
    "Laboratoires Pharmaceutiques Associés",
]
AXIS_TITLES = {
    AxisKind.UPGRADE: "Monter en gamme : {label}",
    AxisKind.NICHE: "Développer une niche : {label}",
    AxisKind.COMPLEMENTARY: "Diversifier vers : {label}",
}
TRAININGS = [
    (ProviderKind.CFA, "Bac pro maintenance des systèmes de production"),
    (ProviderKind.UNIVERSITY, "Licence professionnelle métiers de l'industrie"),
    (ProviderKind.ENGINEERING_SCHOOL, "Cycle ingénieur en apprentissage"),
    (ProviderKind.SHORT, "Habilitation soudure en 12 semaines"),
    (ProviderKind.RECONVERSION, "Reconversion vers la conduite de ligne"),
    (ProviderKind.SHORT, "Initiation à la robotique collaborative"),
]
PROJECTS = [
    (ProjectKind.FRICHE, "Réhabilitation de l'ancienne usine {town}"),
    (ProjectKind.MODULAR_ZONE, "Zone modulaire d'activités de {town}"),
    (ProjectKind.LOGISTICS_HUB, "Pôle logistique mutualisé de {town}"),
    (ProjectKind.SME_EQUIPMENT, "Équipement numérique des PME de {town}"),
]
RISKS = [
    (RiskKind.HASTE, "Lancer les investissements avant d'avoir formé"),
    (RiskKind.COMPETITION, "Concurrence d'un bassin voisin sur la même filière"),
    (RiskKind.IGNORED_COSTS, "Coûts de dépollution sous-estimés"),
    (RiskKind.CROWDING_OUT, "Aides captées par un grand groupe extérieur"),
    (RiskKind.OTHER, "Départ en retraite des dirigeants de PME"),
]
COMMITTEE_COMMENTS = [
    "Nous avons complété le recensement des métiers en tension.",
    "La synthèse a été validée en comité de bassin.",
    "Les partenaires de la CCI ont relu cette étape.",
]
PREFECTURE_COMMENTS = [
    "Merci de préciser le calendrier des actions de formation.",
    "Les montants obtenus doivent être justifiés par les conventions signées.",
    "Le lien entre les axes et les investissements est à expliciter.",
]
SUMMARIES = {
    StageKind.DIAGNOSTIC: "Le bassin de {name} compte un tissu dense de PME "
    "industrielles ; les métiers de la maintenance et de la soudure sont en "
    "forte tension.",
    StageKind.STRATEGY: "Trois axes : monter en gamme dans la filière existante, "
    "développer une niche technologique, diversifier vers une activité "
    "complémentaire.",
    StageKind.SKILLS: "Un plan de formation coordonné avec le CFA et "
    "l'université, centré sur les métiers en tension.",
    StageKind.INVESTMENT: "Priorité à la réhabilitation des friches et à "
    "l'équipement des PME, avec des aides conditionnées à l'emploi local.",
    StageKind.NETWORK: "Mise en relation des donneurs d'ordre et des PME du "
    "bassin au sein d'une grappe d'entreprises.",
    StageKind.MONITORING: "Suivi trimestriel des emplois créés, de la pérennité "
    "des entreprises et des achats locaux.",
}

AUTO_DATE_MODELS = [
    m.Roadmap,
    m.Stage,
    m.StageTransition,
    m.StageComment,
    m.AuditEvent,
    m.LocalActor,
    m.Skill,
    m.Infrastructure,
    m.SocialCondition,
    m.Need,
    m.Axis,
    m.TrainingAction,
    m.InvestmentProject,
    m.FundingLine,
    m.Partnership,
    m.Indicator,
    m.Measurement,
    m.Risk,
]


@contextmanager
def explicit_dates():
    """Lift auto_now/auto_now_add so the generated rows keep their past dates."""
    saved = []
    for model in AUTO_DATE_MODELS:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(
                field, "auto_now_add", False
            ):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class Batch:
    """Rows waiting for bulk_create, by model, in dependency order."""

    def __init__(self):
        self.rows: dict[type, list] = {}

    def add(self, obj):
        self.rows.setdefault(type(obj), []).append(obj)
        return obj

    def save(self, *models):
        for model in models:
            rows = self.rows.pop(model, [])
            if rows:
                model.objects.bulk_create(rows, batch_size=BATCH)


class Generator:
    def __init__(self, *, seed: int, period_start: int, today: date):
        self.rng = random.Random(seed)
        self.period_start = period_start
        self.today = today
        self.divisions = {d.code: d for d in NafDivision.objects.all()}
        self.axis_divisions = [c for c in AXIS_DIVISIONS if c in self.divisions]
        if not self.axis_divisions:
            raise CommandError(
                "Les divisions NAF sont absentes : appliquez les migrations "
                "(manage.py migrate)."
            )
        self.counts: dict[str, int] = {}
        self.candidates = axis_candidates(set(self.axis_divisions))
        self.taken: dict[str, dict[str, int]] = {}  # region -> division -> basins

    # --- helpers --------------------------------------------------------------

    def moment(self, day: date) -> datetime:
        seconds = self.rng.randint(8 * 3600, 18 * 3600)
        return timezone.make_aware(
            datetime.combine(day, dtime()) + timedelta(seconds=seconds)
        )

    def day_between(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def firm(self) -> str:
        return (
            f"{self.rng.choice(FIRM_WORDS)} {self.rng.choice(FIRM_WORDS)} "
            f"{self.rng.choice(FIRM_SUFFIXES)}"
        )

    def action_fields(self, start: date, stage) -> dict:
        """Status and progress of an action, consistent with its stage: a
        validated stage's actions are done or well under way, a draft's are
        mostly planned."""
        rng = self.rng
        weights = {
            StageStatus.VALIDATED: [0, 55, 45, 0],
            StageStatus.SUBMITTED: [25, 55, 15, 5],
            StageStatus.RETURNED: [35, 50, 5, 10],
        }.get(stage.status, [60, 35, 0, 5])
        status = rng.choices(
            [ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE,
             ActionStatus.ABANDONED],
            weights=weights,
        )[0]  # fmt: skip
        low = 60 if stage.status == StageStatus.VALIDATED else 10
        progress = {
            ActionStatus.PLANNED: 0,
            ActionStatus.IN_PROGRESS: rng.randrange(low, 95, 5),
            ActionStatus.DONE: 100,
            ActionStatus.ABANDONED: rng.randrange(0, 40, 5),
        }[status]
        begin = start + timedelta(days=rng.randint(0, 500))
        return {
            "status": status,
            "progress": progress,
            "start_date": begin,
            "end_date": begin + timedelta(days=rng.randint(90, 900)),
        }

    # --- generation -------------------------------------------------------------

    def run(self, basins, users) -> dict[str, int]:
        plan = [self.plan_roadmap(basin) for basin in basins]
        batch = Batch()
        roadmaps = [
            batch.add(
                m.Roadmap(
                    basin=basin,
                    period_start=self.period_start,
                    period_end=self.period_start + 6,
                    title=f"Feuille de route {basin.name} "
                    f"{self.period_start}–{self.period_start + 6}",
                    created_at=p["created"],
                    updated_at=p["created"],
                )
            )
            for basin, p in zip(basins, plan, strict=True)
        ]
        batch.save(m.Roadmap)
        events = []
        stages_of = {}
        for roadmap, p in zip(roadmaps, plan, strict=True):
            events.append(self.event(roadmap, None, p, p["created"]))
            stages_of[roadmap.pk] = [
                batch.add(
                    m.Stage(
                        roadmap=roadmap,
                        number=number,
                        summary=SUMMARIES[number].format(name=roadmap.basin.name)
                        if number <= p["filled"]
                        else "",
                        created_at=p["created"],
                        updated_at=p["created"],
                    )
                )
                for number in StageKind.values
            ]
        # History first (as created: drafts), then the statuses, then one
        # INSERT: no UPDATE of the stages afterwards.
        created_changes = {
            id(stage): diff({}, snapshot(stage))
            for stages in stages_of.values()
            for stage in stages
        }
        self.workflow(roadmaps, stages_of, plan, users, batch)
        batch.save(m.Stage)
        for roadmap, p in zip(roadmaps, plan, strict=True):
            for stage in stages_of[roadmap.pk]:
                extra = {"changes": created_changes[id(stage)], "version": 1}
                events.append(self.event(stage, None, p, p["created"], extra))
                self.count(str(m.Stage._meta.verbose_name_plural), 1)

        # Items: actors first (they own actions and risks), then axes, etc.
        built = [
            self.items(roadmap, stages_of[roadmap.pk], p, batch)
            for roadmap, p in zip(roadmaps, plan, strict=True)
        ]
        batch.save(m.LocalActor, m.Skill, m.Infrastructure, m.SocialCondition)
        batch.save(m.Need, m.Axis)
        through = m.Axis.naf_divisions.through
        links = []
        for items in built:
            for axis, codes in items["axis_divisions"]:
                links += [through(axis=axis, nafdivision_id=code) for code in codes]
        through.objects.bulk_create(links, batch_size=BATCH)
        batch.save(m.TrainingAction, m.InvestmentProject)
        batch.save(m.FundingLine, m.Partnership, m.Indicator)
        batch.save(m.Measurement, m.Risk)
        for roadmap, p, items in zip(roadmaps, plan, built, strict=True):
            for obj, extra in items["created"]:
                events.append(
                    self.event(obj, users.get(roadmap.basin_id), p, extra["at"], extra)
                )

        batch.save(m.StageTransition, m.StageComment)
        for obj, user, p, at, changes, action, version in self.pending_events:
            extra = {"changes": changes, "action": action, "version": version}
            events.append(self.event(obj, user, p, at, extra))
        m.AuditEvent.objects.bulk_create(events, batch_size=BATCH)
        self.count("événements d'historique", len(events))
        return self.counts

    def count(self, label, n):
        self.counts[label] = self.counts.get(label, 0) + n

    def plan_roadmap(self, basin) -> dict:
        """What this roadmap looks like: maturity, dates, alerts it triggers."""
        rng = self.rng
        created = self.today - timedelta(days=rng.randint(420, 720))
        inactive = rng.random() < 0.15
        last = (
            self.today - timedelta(days=rng.randint(100, 300))
            if inactive
            else self.today - timedelta(days=rng.randint(0, 60))
        )
        last = max(last, created + timedelta(days=30))
        # How many stages the committee has filled (0: only started).
        filled = rng.choices(range(7), weights=[3, 8, 14, 18, 20, 17, 20])[0]
        return {
            "basin": basin,
            "created": self.moment(created),
            "created_day": created,
            "last_day": last,
            "filled": max(filled, 1),
            "crowding_out": rng.random() < 0.15,
            "stale": rng.random() < 0.12,
            "investment_first": rng.random() < 0.15,
            "competes": rng.random() < COMPETING_SHARE,
        }

    def axis_picks(self, basin, count: int, *, competes: bool) -> list[list[str]]:
        """The NAF divisions of up to ``count`` axes of a basin: divisions it
        has, that no other basin of its regions took, unless it ``competes``
        (then one axis takes a division a neighbour already aims at)."""
        regions = [region.code for region in basin.regions.all()]
        taken = {code for region in regions for code in self.taken.get(region, {})}
        candidates = self.candidates.get(basin.pk)
        if candidates is None:  # no SIRENE stock for this basin
            candidates = self.rng.sample(self.axis_divisions, len(self.axis_divisions))

        def shared_by(code):
            return max(
                (self.taken.get(region, {}).get(code, 0) for region in regions),
                default=0,
            )

        free = [code for code in candidates if code not in taken]
        # Two or three basins of a region on one division, never more.
        shared = [
            code
            for code in candidates[: MAX_SHARING * 2]
            if code in taken and shared_by(code) < MAX_SHARING
        ]
        chosen = free[:count]
        if competes and shared:
            chosen = [self.rng.choice(shared), *free[: count - 1]]
        elif not chosen:  # every division taken: the least shared one
            chosen = [min(candidates, key=lambda code: (shared_by(code), code))]
        picks = [[code] for code in chosen]
        # Now and then an axis spans a second division of the basin.
        spare = [code for code in free if code not in chosen]
        if picks and spare and self.rng.random() < 0.2:
            picks[-1].append(spare[0])
        for codes in picks:
            for code in codes:
                for region in regions:
                    by_code = self.taken.setdefault(region, {})
                    by_code[code] = by_code.get(code, 0) + 1
        return picks

    def when(self, p) -> datetime:
        return self.moment(self.day_between(p["created_day"], p["last_day"]))

    def items(self, roadmap, stages, p, batch) -> dict:
        rng = self.rng
        town = roadmap.basin.name
        filled = p["filled"]
        if p["investment_first"]:
            filled = max(filled, 4)
        created = []

        def add(obj, at=None, **m2m):
            at = at or self.when(p)
            obj.created_at = obj.updated_at = at
            batch.add(obj)
            created.append((obj, {"at": at, "m2m": m2m}))
            return obj

        diag, strategy, skills, investment, network, monitoring = stages
        start = date(self.period_start, 1, 1)
        actors = []
        for job, category in rng.sample(JOBS, 5):
            add(
                m.Skill(
                    stage=diag,
                    job_title=job,
                    category=category,
                    people_available=rng.randint(0, 120),
                    shortage_level=rng.randint(1, 4),
                )
            )
        add(
            m.Infrastructure(
                stage=diag,
                kind=InfrastructureKind.ZONE,
                name=f"Zone industrielle de {town}",
                area_ha=Decimal(rng.randint(20, 400)),
                availability="Lots disponibles à partir de 2 ha.",
            )
        )
        add(
            m.Infrastructure(
                stage=diag,
                kind=InfrastructureKind.FRICHE,
                name=f"Ancienne usine textile de {town}",
                area_ha=Decimal(rng.randint(2, 40)),
                friche_status=rng.choice(FricheStatus.values),
            )
        )
        add(
            m.Infrastructure(
                stage=diag,
                kind=rng.choice([InfrastructureKind.RAIL, InfrastructureKind.ENERGY]),
                name=f"Embranchement ferré et poste source de {town}",
            )
        )
        for aspect in SocialAspect.values:
            add(
                m.SocialCondition(
                    stage=diag,
                    aspect=aspect,
                    rating=rng.randint(1, 5),
                    notes="Appréciation du comité de bassin.",
                )
            )
        for title in rng.sample(NEEDS, 3):
            add(m.Need(stage=diag, title=title, priority=rng.randint(1, 3)))
        actor_specs = [
            (ActorKind.CCI, f"CCI de {town}", False),
            (ActorKind.UNIVERSITY, f"Université de {town}", False),
            (ActorKind.LOCAL_AUTHORITY, f"Communauté de communes de {town}", False),
            (ActorKind.TRAINING, f"CFA industriel de {town}", False),
            (ActorKind.BRANCH, "UIMM territoriale", False),
        ] + [(ActorKind.FIRM, self.firm(), True) for _ in range(3)]
        for kind, name, sme in actor_specs:
            actors.append(
                add(
                    m.LocalActor(
                        stage=diag,
                        kind=kind,
                        name=name,
                        role="Membre du comité de bassin",
                        is_sme=sme,
                        is_local=True,
                    )
                )
            )
        axis_divisions = []
        axes = []
        if filled >= 2 or p["investment_first"]:
            kinds = rng.sample(AxisKind.values, rng.randint(2, 3))
            picks = self.axis_picks(roadmap.basin, len(kinds), competes=p["competes"])
            for kind, codes in zip(kinds, picks, strict=False):
                label = self.divisions[codes[0]].label
                axis = add(
                    m.Axis(
                        stage=strategy,
                        kind=kind,
                        title=AXIS_TITLES[kind].format(label=label.lower())[:200],
                        rationale="Filière présente dans le bassin, avec des "
                        "donneurs d'ordre et des compétences disponibles.",
                        priority=rng.randint(1, 3),
                    ),
                    naf_divisions=[self.divisions[c] for c in codes],
                )
                axes.append(axis)
                axis_divisions.append((axis, codes))
        if filled >= 3:
            for provider, title in rng.sample(TRAININGS, 3):
                add(
                    m.TrainingAction(
                        stage=skills,
                        provider_kind=provider,
                        title=title,
                        places=rng.randint(8, 40),
                        target_jobs="Métiers en tension du diagnostic",
                        axis=rng.choice(axes) if axes else None,
                        owner=rng.choice(actors),
                        **self.action_fields(start, skills),
                    )
                )
        if filled >= 4:
            projects = []
            for kind, title in rng.sample(PROJECTS, 2):
                projects.append(
                    add(
                        m.InvestmentProject(
                            stage=investment,
                            kind=kind,
                            title=title.format(town=town),
                            amount=Decimal(rng.randint(200, 6000) * 1000),
                            axis=rng.choice(axes) if axes else None,
                            owner=rng.choice(actors),
                            **self.action_fields(start, investment),
                        )
                    )
                )
            for n in range(4):
                outsider = p["crowding_out"] and n < 3
                fields = self.action_fields(start, investment)
                # Obtained at most what was asked, paid as the work advances.
                requested = rng.randint(50, 900)
                obtained = round(requested * rng.uniform(0.4, 1.0))
                paid = round(obtained * fields["progress"] / 100 * rng.uniform(0.5, 1))
                add(
                    m.FundingLine(
                        stage=investment,
                        project=rng.choice(projects),
                        kind=rng.choice(FundingKind.values),
                        beneficiary_name=rng.choice(CONTRACTORS)
                        if outsider
                        else self.firm(),
                        beneficiary_is_local=not outsider and rng.random() > 0.1,
                        beneficiary_is_sme=not outsider,
                        amount_requested=Decimal(requested * 1000),
                        amount_obtained=Decimal(obtained * 1000),
                        amount_paid=Decimal(paid * 1000),
                        local_hires_promised=rng.randint(0, 40),
                        local_purchasing_promised_pct=Decimal(rng.randint(0, 60)),
                        conditions="Embauches locales et maintien de l'activité "
                        "pendant cinq ans.",
                        owner=rng.choice(actors),
                        **fields,
                    )
                )
        if filled >= 5:
            for contractor in rng.sample(CONTRACTORS, 2):
                add(
                    m.Partnership(
                        stage=network,
                        contractor=contractor,
                        smes=", ".join(self.firm() for _ in range(3)),
                        cluster=f"Grappe industrielle de {town}",
                        shared_tools="Plateforme d'achats mutualisés",
                        partnership_status=rng.choice(PartnershipStatus.values),
                        owner=rng.choice(actors),
                        **self.action_fields(start, network),
                    )
                )
        population_scale = rng.randint(50, 600)
        for kind, name, unit in [*SEED_INDICATORS, (IndicatorKind.CUSTOM,
                                                     "Places de formation ouvertes",
                                                     "places")]:  # fmt: skip
            # Baselines as a basin measures them; every target is an
            # improvement on its baseline.
            baseline = {
                IndicatorKind.JOBS_CREATED: 0,
                IndicatorKind.FIRM_SURVIVAL: rng.randint(55, 70),
                IndicatorKind.LOCAL_PURCHASING: rng.randint(15, 35),
                IndicatorKind.CUSTOM: 0,
            }[kind]
            target = {
                IndicatorKind.JOBS_CREATED: population_scale * 2,
                IndicatorKind.FIRM_SURVIVAL: min(baseline + rng.randint(5, 15), 90),
                IndicatorKind.LOCAL_PURCHASING: baseline + rng.randint(5, 20),
                IndicatorKind.CUSTOM: rng.randint(50, 300),
            }[kind]
            indicator = add(
                m.Indicator(
                    stage=monitoring,
                    name=name,
                    kind=kind,
                    unit=unit,
                    baseline=Decimal(baseline),
                    target=Decimal(target),
                    target_date=date(self.period_start + 6, 12, 31),
                    source="Comité de bassin, d'après les déclarations des entreprises",
                )
            )
            self.measurements(indicator, monitoring, p, add)
        for kind, title in rng.sample(RISKS, 3):
            add(
                m.Risk(
                    roadmap=roadmap,
                    kind=kind,
                    title=title,
                    likelihood=rng.randint(1, 4),
                    impact=rng.randint(1, 4),
                    mitigation="Suivi en comité de bassin chaque trimestre.",
                    owner=rng.choice(actors),
                )
            )
        return {"created": created, "axis_divisions": axis_divisions}

    def measurements(self, indicator, stage, p, add):
        """Five years of quarterly measurements, ending a quarter ago (or
        more than a year ago for a stale roadmap)."""
        rng = self.rng
        end = self.today - timedelta(days=rng.randint(20, 80))
        if p["stale"]:
            end = self.today - timedelta(days=rng.randint(400, 600))
        # No entry after the roadmap's last activity (inactive roadmaps).
        end = min(end, p["last_day"] - timedelta(days=20))
        quarter_end = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
        value = float(indicator.baseline or 0)
        target = float(indicator.target or 100)
        for n in range(20):
            months_back = 3 * (19 - n)
            year, month = divmod(
                quarter_end.year * 12 + quarter_end.month - 1 - months_back, 12
            )
            measured_on = date(year, month + 1, 1)
            if indicator.kind == IndicatorKind.JOBS_CREATED:
                value += rng.uniform(0, target / 25)
            elif indicator.unit == "%":
                # Towards the target over the period, with some noise.
                step = (target - float(indicator.baseline)) / 28
                value = min(100.0, max(0.0, value + step + rng.uniform(-1.5, 1.5)))
            else:
                value += rng.uniform(0, target / 20)
            # A measurement is entered shortly after its quarter.
            entered = min(measured_on + timedelta(days=20), p["last_day"])
            add(
                m.Measurement(
                    stage=stage,
                    indicator=indicator,
                    measured_on=measured_on,
                    value=Decimal(f"{value:.2f}"),
                    source="Déclarations trimestrielles",
                ),
                at=self.moment(entered),
            )

    def workflow(self, roadmaps, stages_of, plan, users, batch):
        """Statuses: filled stages are submitted, then validated or returned;
        every change gets its transition, comment and history rows."""
        rng = self.rng
        self.pending_events = []
        for roadmap, p in zip(roadmaps, plan, strict=True):
            lead = users.get(roadmap.basin_id)
            reviewer = users.get(("reviewer", roadmap.basin_id))
            for stage in stages_of[roadmap.pk]:
                if stage.number > p["filled"]:
                    continue
                last_stage = stage.number == p["filled"]
                roll = rng.random()
                if not last_stage:
                    outcome = StageStatus.VALIDATED
                elif roll < 0.45:
                    outcome = StageStatus.SUBMITTED
                elif roll < 0.6:
                    outcome = StageStatus.RETURNED
                elif roll < 0.75:
                    outcome = StageStatus.VALIDATED
                else:
                    outcome = StageStatus.DRAFT
                if p["investment_first"] and stage.number == StageKind.SKILLS:
                    outcome = StageStatus.SUBMITTED
                if outcome == StageStatus.DRAFT:
                    continue
                submitted = self.when(p)
                if outcome == StageStatus.SUBMITTED:
                    # Still waiting: sent in the last weeks of activity.
                    recent = p["last_day"] - timedelta(days=rng.randint(0, 45))
                    submitted = self.moment(max(recent, p["created_day"]))
                gaps = rng.random() < 0.2
                steps = [(StageStatus.DRAFT, StageStatus.SUBMITTED, lead, submitted)]
                stage.submitted_at = submitted
                stage.submitted_with_gaps = gaps
                if outcome != StageStatus.SUBMITTED:
                    reviewed = min(
                        submitted + timedelta(days=rng.randint(3, 40)),
                        self.moment(p["last_day"]),
                    )
                    reviewed = max(reviewed, submitted + timedelta(hours=1))
                    steps.append((StageStatus.SUBMITTED, outcome, reviewer, reviewed))
                    stage.reviewed_at = reviewed
                stage.status = outcome
                stage.version = 1 + len(steps)
                for version, (old, new, user, at) in enumerate(steps, start=2):
                    comment = ""
                    if new == StageStatus.RETURNED:
                        comment = rng.choice(PREFECTURE_COMMENTS)
                    batch.add(
                        m.StageTransition(
                            stage=stage,
                            from_status=old,
                            to_status=new,
                            user=user,
                            comment=comment,
                            created_at=at,
                        )
                    )
                    changes = {"status": [old.label, new.label]}
                    self.pending_events.append(
                        (stage, user, p, at, changes, AuditAction.TRANSITION, version)
                    )
                    if comment:
                        self.comment(stage, reviewer, AuthorRole.PREFECTURE, comment,
                                     at, p, batch)  # fmt: skip
                    stage.updated_at = at
                if rng.random() < 0.5:
                    self.comment(
                        stage, lead, AuthorRole.COMMITTEE,
                        rng.choice(COMMITTEE_COMMENTS), submitted, p, batch,
                    )  # fmt: skip
        changed = [
            stage
            for roadmap in roadmaps
            for stage in stages_of[roadmap.pk]
            if stage.status != StageStatus.DRAFT
        ]
        self.count("étapes soumises au moins une fois", len(changed))

    def comment(self, stage, user, role, body, at, p, batch):
        comment = batch.add(
            m.StageComment(
                stage=stage, author=user, author_role=role, body=body, created_at=at
            )
        )
        self.pending_events.append(
            (comment, user, p, at, {"body": ["", body]}, AuditAction.COMMENT, None)
        )

    def event(self, obj, user, p, at, extra=None):
        extra = extra or {}
        if isinstance(obj, m.Roadmap):
            roadmap, stage = obj, None
        elif isinstance(obj, m.Stage):
            roadmap, stage = obj.roadmap, obj
        elif hasattr(obj, "stage"):
            roadmap, stage = obj.stage.roadmap, obj.stage
        else:
            roadmap, stage = obj.roadmap, None
        changes = extra.get("changes")
        if changes is None:
            changes = diff({}, snapshot(obj, m2m=extra.get("m2m") or {}))
            self.count(str(obj._meta.verbose_name_plural), 1)
        return m.AuditEvent(
            roadmap=roadmap,
            stage=stage,
            user=user,
            action=extra.get("action", AuditAction.CREATE),
            model_label=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:255],
            object_version=extra["version"]
            if "version" in extra
            else getattr(obj, "version", None),
            changes=changes,
            created_at=at,
        )


def axis_candidates(allowed: set[str]) -> dict[int, list[str]]:
    """basin id -> the NAF divisions its axes may aim at, best first.

    The divisions the basin has in the imported SIRENE stock, those of
    ``allowed`` first: its specialisations by adjusted quotient, then the
    other figures that are findings by employees, then the rest. Basins
    without establishments are left out.
    """
    per_basin, national = selectors.sirene_aggregates()
    candidates = {}
    for basin_id, data in per_basin.items():
        present = [
            indicator
            for indicator in metrics.sector_indicators(
                local=data["divisions"], national=national["divisions"]
            )
            if indicator.employees > 0
        ]
        if not present:
            continue

        def rank(indicator):
            return (
                indicator.code not in allowed,
                not indicator.specialised,
                not indicator.robust,
                -(indicator.adjusted_quotient or 0)
                if indicator.specialised
                else -indicator.employees,
                indicator.code,
            )

        aimed = sorted(present, key=rank)
        candidates[basin_id] = [indicator.code for indicator in aimed]
    return candidates


def demo_users(basins) -> dict:
    """A committee lead per basin and a prefecture reviewer per region, created
    in bulk with one shared demo password (hashed once)."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    wanted = {f"pilote-{basin.code}": basin for basin in basins}
    regions = {}
    for basin in basins:
        for region in basin.regions.all():
            regions[f"prefecture-{region.code}"] = region
    existing = set(
        User.objects.filter(username__in=[*wanted, *regions]).values_list(
            "username", flat=True
        )
    )
    User.objects.bulk_create(
        [
            User(
                username=name,
                first_name="Pilote" if name.startswith("pilote") else "Référent",
                last_name=(wanted.get(name) or regions.get(name)).name[:150],
                email=f"{name}@example.gouv.fr",
                password=password,
            )
            for name in [*wanted, *regions]
            if name not in existing
        ],
        batch_size=BATCH,
    )
    by_name = User.objects.in_bulk([*wanted, *regions], field_name="username")
    have = set(
        Membership.objects.filter(user__in=by_name.values()).values_list(
            "user__username", flat=True
        )
    )
    memberships = [
        Membership(user=by_name[name], role=Role.LEAD, basin=basin)
        for name, basin in wanted.items()
        if name not in have
    ] + [
        Membership(user=by_name[name], role=Role.REVIEWER, region=region)
        for name, region in regions.items()
        if name not in have
    ]
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    users = {basin.pk: by_name[name] for name, basin in wanted.items()}
    for basin in basins:
        region = next(iter(basin.regions.all()), None)
        if region is not None:
            users[("reviewer", basin.pk)] = by_name[f"prefecture-{region.code}"]
    return users


class Command(BaseCommand):
    help = (
        "Génère une feuille de route réaliste pour chaque bassin d'emploi "
        "(éléments, indicateurs sur cinq ans, historique, commentaires). "
        "Les bassins doivent être importés (import_zones --wet-run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--period-start",
            type=int,
            default=None,
            help="Première année des feuilles de route (défaut : l'an dernier).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Supprime d'abord les feuilles de route de cette période.",
        )
        parser.add_argument(
            "--limit", type=int, default=None, help="Nombre maximal de bassins."
        )

    def handle(self, *args, seed, period_start, reset, limit, **options):
        today = timezone.localdate()
        period_start = period_start or today.year - 1
        basins = Basin.objects.prefetch_related("regions").order_by("code")
        if not basins.exists():
            raise CommandError(
                "Aucun bassin d'emploi : importez d'abord les zones d'emploi "
                "(manage.py import_zones --wet-run)."
            )
        started = time.monotonic()
        with transaction.atomic(), explicit_dates():
            if reset:
                deleted = m.Roadmap.objects.filter(period_start=period_start)
                deleted_count = deleted.count()
                deleted.delete()
                self.stdout.write(f"{deleted_count} feuilles de route supprimées.")
            taken = set(
                m.Roadmap.objects.filter(period_start=period_start).values_list(
                    "basin_id", flat=True
                )
            )
            todo = [basin for basin in basins if basin.pk not in taken]
            if limit is not None:
                todo = todo[:limit]
            if not todo:
                self.stdout.write(
                    "Chaque bassin a déjà sa feuille de route pour "
                    f"{period_start} (--reset pour la régénérer)."
                )
                return
            users = demo_users(todo)
            counts = Generator(seed=seed, period_start=period_start, today=today).run(
                todo, users
            )
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{len(todo)} bassins traités en {elapsed:.1f} s (graine {seed})."
        )
        for label, total in sorted(counts.items()):
            self.stdout.write(f"  {label} : {total}")
        self.stdout.write(
            "Comptes de démonstration : pilote-<code du bassin> et "
            f"prefecture-<code de la région>, mot de passe « {DEMO_PASSWORD} »."
        )
