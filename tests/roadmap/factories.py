import datetime
import decimal

import factory

from roadmap import enums, models, services
from tests.basins.factories import BasinFactory


class RoadmapFactory(factory.django.DjangoModelFactory):
    """A roadmap with its six stages and seed indicators, via the service."""

    class Meta:
        model = models.Roadmap

    basin = factory.SubFactory(BasinFactory)
    period_start = factory.Sequence(lambda n: 2020 + n % 500)
    period_end = factory.LazyAttribute(lambda o: o.period_start + 5)
    title = ""
    user = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.create_roadmap(**kwargs)


def stage_of(number):
    """Stage ``number`` of ``roadmap`` (a fresh one unless given)."""
    return factory.LazyAttribute(
        lambda o: (o.roadmap or RoadmapFactory()).stages.get(number=number)
    )


class StageItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    class Params:
        roadmap = None


class LocalActorFactory(StageItemFactory):
    class Meta:
        model = models.LocalActor

    stage = stage_of(enums.StageKind.DIAGNOSTIC)
    kind = enums.ActorKind.FIRM
    name = factory.Sequence(lambda n: f"Entreprise {n}")
    role = "Donneur d'ordre"
    is_sme = True


class SkillFactory(StageItemFactory):
    class Meta:
        model = models.Skill

    stage = stage_of(enums.StageKind.DIAGNOSTIC)
    job_title = factory.Sequence(lambda n: f"Soudeur {n}")
    category = enums.SkillCategory.SKILLED_WORKER
    people_available = 12
    shortage_level = enums.Level.HIGH


class InfrastructureFactory(StageItemFactory):
    class Meta:
        model = models.Infrastructure

    stage = stage_of(enums.StageKind.DIAGNOSTIC)
    kind = enums.InfrastructureKind.ZONE
    name = factory.Sequence(lambda n: f"Zone industrielle {n}")
    area_ha = decimal.Decimal("12.50")


class SocialConditionFactory(StageItemFactory):
    class Meta:
        model = models.SocialCondition

    stage = stage_of(enums.StageKind.DIAGNOSTIC)
    aspect = enums.SocialAspect.HOUSING
    rating = 3


class NeedFactory(StageItemFactory):
    class Meta:
        model = models.Need

    stage = stage_of(enums.StageKind.DIAGNOSTIC)
    title = factory.Sequence(lambda n: f"Besoin {n}")
    priority = enums.Priority.HIGH


class AxisFactory(StageItemFactory):
    class Meta:
        model = models.Axis

    stage = stage_of(enums.StageKind.STRATEGY)
    kind = enums.AxisKind.UPGRADE
    title = factory.Sequence(lambda n: f"Axe {n}")
    priority = enums.Priority.HIGH


class ActionItemFactory(StageItemFactory):
    class Meta:
        abstract = True

    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2027, 12, 31)
    status = enums.ActionStatus.PLANNED
    progress = 0


class TrainingActionFactory(ActionItemFactory):
    class Meta:
        model = models.TrainingAction

    stage = stage_of(enums.StageKind.SKILLS)
    provider_kind = enums.ProviderKind.CFA
    title = factory.Sequence(lambda n: f"Formation {n}")
    places = 15


class InvestmentProjectFactory(ActionItemFactory):
    class Meta:
        model = models.InvestmentProject

    stage = stage_of(enums.StageKind.INVESTMENT)
    kind = enums.ProjectKind.FRICHE
    title = factory.Sequence(lambda n: f"Projet {n}")
    amount = decimal.Decimal("250000.00")


class FundingLineFactory(ActionItemFactory):
    class Meta:
        model = models.FundingLine

    stage = stage_of(enums.StageKind.INVESTMENT)
    kind = enums.FundingKind.CONDITIONAL_GRANT
    beneficiary_name = factory.Sequence(lambda n: f"PME {n}")
    amount_requested = decimal.Decimal("100000.00")


class PartnershipFactory(ActionItemFactory):
    class Meta:
        model = models.Partnership

    stage = stage_of(enums.StageKind.NETWORK)
    contractor = factory.Sequence(lambda n: f"Donneur d'ordre {n}")


class IndicatorFactory(StageItemFactory):
    class Meta:
        model = models.Indicator

    stage = stage_of(enums.StageKind.MONITORING)
    name = factory.Sequence(lambda n: f"Indicateur {n}")
    kind = enums.IndicatorKind.CUSTOM
    unit = "emplois"


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    stage = factory.SelfAttribute("indicator.stage")
    measured_on = datetime.date(2026, 6, 30)
    value = decimal.Decimal("10.00")


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Risk

    roadmap = factory.SubFactory(RoadmapFactory)
    kind = enums.RiskKind.HASTE
    title = factory.Sequence(lambda n: f"Risque {n}")
    likelihood = enums.Level.MODERATE
    impact = enums.Level.HIGH


class StageCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StageComment

    stage = factory.LazyFunction(lambda: RoadmapFactory().stages.get(number=1))
    author = None
    author_role = enums.AuthorRole.COMMITTEE
    body = "Merci de préciser les besoins."


ITEM_FACTORIES = {
    "competences": SkillFactory,
    "infrastructures": InfrastructureFactory,
    "conditions-sociales": SocialConditionFactory,
    "besoins": NeedFactory,
    "acteurs": LocalActorFactory,
    "axes": AxisFactory,
    "formations": TrainingActionFactory,
    "projets": InvestmentProjectFactory,
    "financements": FundingLineFactory,
    "partenariats": PartnershipFactory,
    "indicateurs": IndicatorFactory,
}


def make_item(slug, roadmap, **kwargs):
    """An item of the registry type ``slug`` in ``roadmap``."""
    if slug == "risques":
        return RiskFactory(roadmap=roadmap, **kwargs)
    if slug == "mesures":
        return MeasurementFactory(indicator=IndicatorFactory(roadmap=roadmap), **kwargs)
    return ITEM_FACTORIES[slug](roadmap=roadmap, **kwargs)
