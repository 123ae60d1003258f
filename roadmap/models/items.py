"""The items a committee lists in its stages (skills, axes, projects...)
and the roadmap's risks. Their type declarations: roadmap.models.registry."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from roadmap.enums import (
    ActionStatus,
    ActorKind,
    AxisKind,
    FricheStatus,
    FundingKind,
    IndicatorKind,
    InfrastructureKind,
    Level,
    PartnershipStatus,
    Priority,
    ProjectKind,
    ProviderKind,
    RiskKind,
    SkillCategory,
    SocialAspect,
)
from roadmap.models.base import (
    RoadmapItemQuerySet,
    StageItemQuerySet,
    Versioned,
    check,
)


class LocalActor(Versioned):
    stage = models.ForeignKey(
        "roadmap.Stage", on_delete=models.CASCADE, related_name="local_actors"
    )
    kind = models.CharField("type d'acteur", max_length=20, choices=ActorKind.choices)
    name = models.CharField("nom", max_length=200)
    role = models.CharField("rôle dans le bassin", max_length=255, blank=True)
    contact = models.CharField("contact", max_length=255, blank=True)
    is_sme = models.BooleanField("PME", default=False)
    is_local = models.BooleanField("implanté dans le bassin", default=True)
    siret = models.CharField(
        "SIRET",
        max_length=14,
        blank=True,
        validators=[
            RegexValidator(r"^[0-9]{14}$", "Le SIRET compte exactement 14 chiffres.")
        ],
    )

    objects = StageItemQuerySet.as_manager()

    class Meta:
        verbose_name = "acteur local"
        verbose_name_plural = "acteurs locaux"
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class ActionItem(Versioned):
    """Something the committee will do: an owner, dates, status and progress."""

    owner = models.ForeignKey(
        LocalActor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_%(class)ss",
        verbose_name="porteur",
    )
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    status = models.CharField(
        "statut",
        max_length=20,
        choices=ActionStatus.choices,
        default=ActionStatus.PLANNED,
    )
    progress = models.PositiveSmallIntegerField(
        "avancement (%)",
        default=0,
        validators=[MaxValueValidator(100)],
    )

    objects = StageItemQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            check("progress_0_100", Q(progress__gte=0, progress__lte=100)),
            check(
                "dates_ordered",
                Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
            ),
        ]

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "La date de fin doit suivre la date de début."
        if (
            self.owner_id
            and self.stage_id
            and self.owner.stage.roadmap_id != self.stage.roadmap_id
        ):
            errors["owner"] = (
                "Le porteur doit être un acteur de cette feuille de route."
            )
        if errors:
            raise ValidationError(errors)


class Skill(Versioned):
    stage = models.ForeignKey(
        "roadmap.Stage", on_delete=models.CASCADE, related_name="skills"
    )
    job_title = models.CharField("métier", max_length=200)
    category = models.CharField(
        "catégorie", max_length=20, choices=SkillCategory.choices
    )
    people_available = models.PositiveIntegerField("personnes disponibles", default=0)
    shortage_level = models.PositiveSmallIntegerField(
        "niveau de tension", choices=Level.choices, default=Level.LOW
    )

    objects = StageItemQuerySet.as_manager()

    class Meta:
        verbose_name = "compétence"
        ordering = ["job_title", "pk"]
        constraints = [
            check("shortage_1_4", Q(shortage_level__gte=1, shortage_level__lte=4))
        ]

    def __str__(self):
        return self.job_title


class Infrastructure(Versioned):
    stage = models.ForeignKey(
        "roadmap.Stage", on_delete=models.CASCADE, related_name="infrastructures"
    )
    kind = models.CharField(
        "type d'infrastructure", max_length=20, choices=InfrastructureKind.choices
    )
    name = models.CharField("nom", max_length=200)
    area_ha = models.DecimalField(
        "surface (ha)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    availability = models.TextField("disponibilité", blank=True)
    friche_status = models.CharField(
        "statut de la friche", max_length=20, choices=FricheStatus.choices, blank=True
    )

    objects = StageItemQuerySet.as_manager()

    class Meta:
        verbose_name = "infrastructure"
        ordering = ["name", "pk"]
        constraints = [
            check(
                "friche_status_only_for_friche",
                Q(kind=InfrastructureKind.FRICHE) | Q(friche_status=""),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.friche_status and self.kind != InfrastructureKind.FRICHE:
            raise ValidationError(
                {"friche_status": "Le statut de friche ne concerne que les friches."}
            )


class SocialCondition(Versioned):
    stage = models.ForeignKey(
        "roadmap.Stage", on_delete=models.CASCADE, related_name="social_conditions"
    )
    aspect = models.CharField("aspect", max_length=20, choices=SocialAspect.choices)
    rating = models.PositiveSmallIntegerField(
        "note (1 à 5)", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    notes = models.TextField("observations", blank=True)

    objects = StageItemQuerySet.as_manager()

    class Meta:
        verbose_name = "condition sociale"
        verbose_name_plural = "conditions sociales"
        ordering = ["aspect", "pk"]
        constraints = [check("rating_1_5", Q(rating__gte=1, rating__lte=5))]

    def __str__(self):
        return f"{self.get_aspect_display()} : {self.rating}/5"


class Need(Versioned):
    stage = models.ForeignKey(
        "roadmap.Stage", on_delete=models.CASCADE, related_name="needs"
    )
    title = models.CharField("besoin", max_length=200)
    description = models.TextField("description", blank=True)
    priority = models.PositiveSmallIntegerField(
        "priorité", choices=Priority.choices, default=Priority.MEDIUM
    )

    objects = StageItemQuerySet.as_manager()

    class Meta:
        verbose_name = "besoin"
        ordering = ["priority", "title", "pk"]
        constraints = [check("priority_1_3", Q(priority__gte=1, priority__lte=3))]

    def __str__(self):
        return self.title


class Axis(Versioned):
    stage = models.ForeignKey(
        "roadmap.Stage", on_delete=models.CASCADE, related_name="axes"
    )
    kind = models.CharField("type d'axe", max_length=20, choices=AxisKind.choices)
    title = models.CharField("intitulé", max_length=200)
    rationale = models.TextField("justification", blank=True)
    priority = models.PositiveSmallIntegerField(
        "priorité", choices=Priority.choices, default=Priority.MEDIUM
    )
    naf_divisions = models.ManyToManyField(
        "diagnostics.NafDivision",
        related_name="+",
        blank=True,
        verbose_name="divisions NAF visées",
    )

    objects = StageItemQuerySet.as_manager()

    class Meta:
        verbose_name = "axe stratégique"
        verbose_name_plural = "axes stratégiques"
        ordering = ["priority", "title", "pk"]
        constraints = [check("priority_1_3", Q(priority__gte=1, priority__lte=3))]

    def __str__(self):
        return self.title


class TrainingAction(ActionItem):
    stage = models.ForeignKey(
        "roadmap.Stage", on_delete=models.CASCADE, related_name="training_actions"
    )
    provider_kind = models.CharField(
        "type d'organisme", max_length=20, choices=ProviderKind.choices
    )
    title = models.CharField("intitulé", max_length=200)
    places = models.PositiveIntegerField("places", default=0)
    target_jobs = models.TextField("métiers visés", blank=True)
    axis = models.ForeignKey(
        Axis,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_actions",
        verbose_name="axe stratégique",
    )

    class Meta(ActionItem.Meta):
        verbose_name = "action de formation"
        verbose_name_plural = "actions de formation"
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title


class InvestmentProject(ActionItem):
    stage = models.ForeignKey(
        "roadmap.Stage", on_delete=models.CASCADE, related_name="investment_projects"
    )
    kind = models.CharField(
        "type de projet", max_length=20, choices=ProjectKind.choices
    )
    title = models.CharField("intitulé", max_length=200)
    amount = models.DecimalField(
        "montant (€)",
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    axis = models.ForeignKey(
        Axis,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="investment_projects",
        verbose_name="axe stratégique",
    )

    class Meta(ActionItem.Meta):
        verbose_name = "projet d'investissement"
        verbose_name_plural = "projets d'investissement"
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title


class FundingLine(ActionItem):
    stage = models.ForeignKey(
        "roadmap.Stage", on_delete=models.CASCADE, related_name="funding_lines"
    )
    project = models.ForeignKey(
        InvestmentProject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funding_lines",
        verbose_name="projet financé",
    )
    kind = models.CharField("type d'aide", max_length=20, choices=FundingKind.choices)
    beneficiary_name = models.CharField("bénéficiaire", max_length=200)
    beneficiary_is_local = models.BooleanField("bénéficiaire local", default=True)
    beneficiary_is_sme = models.BooleanField("bénéficiaire PME", default=False)
    amount_requested = models.DecimalField(
        "montant demandé (€)",
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    amount_obtained = models.DecimalField(
        "montant obtenu (€)",
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    amount_paid = models.DecimalField(
        "montant versé (€)",
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    local_hires_promised = models.PositiveIntegerField(
        "embauches locales promises", default=0
    )
    local_purchasing_promised_pct = models.DecimalField(
        "achats locaux promis (%)",
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    conditions = models.TextField("conditions", blank=True)

    class Meta(ActionItem.Meta):
        verbose_name = "ligne de financement"
        verbose_name_plural = "lignes de financement"
        ordering = ["beneficiary_name", "pk"]
        constraints = [
            *ActionItem.Meta.constraints,
            check(
                "local_purchasing_0_100",
                Q(
                    local_purchasing_promised_pct__gte=0,
                    local_purchasing_promised_pct__lte=100,
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.beneficiary_name}"

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as error:
            errors.update(error.message_dict)
        if self.project_id and self.stage_id and self.project.stage_id != self.stage_id:
            errors["project"] = "Le projet doit appartenir à cette étape."
        if errors:
            raise ValidationError(errors)


class Partnership(ActionItem):
    stage = models.ForeignKey(
        "roadmap.Stage", on_delete=models.CASCADE, related_name="partnerships"
    )
    contractor = models.CharField("donneur d'ordre", max_length=200)
    smes = models.TextField(
        "PME partenaires", blank=True, help_text="Noms, et SIRET quand il est connu."
    )
    cluster = models.TextField("grappe d'entreprises", blank=True)
    shared_tools = models.TextField("outils partagés", blank=True)
    partnership_status = models.CharField(
        "statut du partenariat",
        max_length=20,
        choices=PartnershipStatus.choices,
        default=PartnershipStatus.PROPOSED,
    )

    class Meta(ActionItem.Meta):
        verbose_name = "partenariat"
        ordering = ["contractor", "pk"]

    def __str__(self):
        return self.contractor


class Indicator(Versioned):
    stage = models.ForeignKey(
        "roadmap.Stage", on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField("indicateur", max_length=200)
    kind = models.CharField(
        "type d'indicateur",
        max_length=20,
        choices=IndicatorKind.choices,
        default=IndicatorKind.CUSTOM,
    )
    unit = models.CharField("unité", max_length=50, blank=True)
    baseline = models.DecimalField(
        "valeur de départ", max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        "cible", max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_date = models.DateField("échéance de la cible", null=True, blank=True)
    source = models.CharField("source", max_length=255, blank=True)

    objects = StageItemQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur"
        ordering = ["pk"]

    def __str__(self):
        return self.name


class Measurement(Versioned):
    # The stage is the indicator's; kept here so every stage item is reached
    # the same way (and checked in clean()).
    stage = models.ForeignKey(
        "roadmap.Stage", on_delete=models.CASCADE, related_name="measurements"
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name="indicateur",
    )
    measured_on = models.DateField("date de la mesure")
    value = models.DecimalField("valeur", max_digits=14, decimal_places=2)
    comment = models.TextField("commentaire", blank=True)
    source = models.CharField("source", max_length=255, blank=True)

    objects = StageItemQuerySet.as_manager()

    class Meta:
        verbose_name = "mesure"
        ordering = ["indicator", "-measured_on", "pk"]

    def __str__(self):
        return f"{self.indicator} au {self.measured_on:%d/%m/%Y} : {self.value}"

    def clean(self):
        if (
            self.indicator_id
            and self.stage_id
            and self.indicator.stage_id != self.stage_id
        ):
            raise ValidationError(
                {"indicator": "L'indicateur doit appartenir à cette étape."}
            )


class Risk(Versioned):
    roadmap = models.ForeignKey(
        "roadmap.Roadmap", on_delete=models.CASCADE, related_name="risks"
    )
    kind = models.CharField("type de risque", max_length=20, choices=RiskKind.choices)
    title = models.CharField("risque", max_length=200)
    likelihood = models.PositiveSmallIntegerField(
        "probabilité", choices=Level.choices, default=Level.MODERATE
    )
    impact = models.PositiveSmallIntegerField(
        "impact", choices=Level.choices, default=Level.MODERATE
    )
    mitigation = models.TextField("mesures d'atténuation", blank=True)
    owner = models.ForeignKey(
        LocalActor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_risks",
        verbose_name="porteur",
    )

    objects = RoadmapItemQuerySet.as_manager()

    class Meta:
        verbose_name = "risque"
        ordering = ["-likelihood", "-impact", "pk"]
        constraints = [
            check("likelihood_1_4", Q(likelihood__gte=1, likelihood__lte=4)),
            check("impact_1_4", Q(impact__gte=1, impact__lte=4)),
        ]

    def __str__(self):
        return self.title

    @property
    def score(self):
        return self.likelihood * self.impact

    def clean(self):
        if (
            self.owner_id
            and self.roadmap_id
            and self.owner.stage.roadmap_id != self.roadmap_id
        ):
            raise ValidationError(
                {"owner": "Le porteur doit être un acteur de cette feuille de route."}
            )
