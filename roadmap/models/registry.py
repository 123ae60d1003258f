"""The item types a committee edits, keyed by their URL slug: one declaration
each, from which the forms (roadmap.forms.item_form_class), the lists, the
exports and printable tables (roadmap.exports), the bulk updates, the stage
progress (Stage.objects.with_progress) and the history labels derive.
Adding an item type is adding its model and an entry here.
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import FieldDoesNotExist
from django.http import Http404
from django.urls import reverse

from roadmap.enums import StageKind
from roadmap.formatting import field_text
from roadmap.models import items as models

ACTION_FIELDS = ("owner", "start_date", "end_date", "status", "progress")
FUNDING_FIELDS = (
    "project",
    "beneficiary_is_local",
    "beneficiary_is_sme",
    "amount_requested",
    "amount_obtained",
    "amount_paid",
    "local_hires_promised",
    "local_purchasing_promised_pct",
    "conditions",
    *ACTION_FIELDS,
)
PAGE_SIZE = 25


@dataclass(frozen=True)
class ItemType:
    slug: str
    model: type
    fields: tuple[str, ...]
    columns: tuple[str, ...]
    title: str
    empty: str
    # None: the item belongs to the roadmap itself (risks).
    stage_number: int | None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    # The sheet of the exports and the table of the printable page: its
    # title, and its columns when they differ from the form's fields.
    export_title: str = ""
    export_columns: tuple[str, ...] = ()

    @property
    def table_columns(self):
        return self.export_columns or self.fields

    @property
    def bulk_editable(self):
        """Action items get a status/progress update over a selection."""
        return issubclass(self.model, models.ActionItem)

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    @cached_property
    def headers(self):
        return [self._label(name) for name in self.columns]

    def queryset(self, *, roadmap):
        """The items of ``roadmap``, ready to list."""
        if self.stage_number is None:
            queryset = self.model.objects.filter(roadmap=roadmap)
        else:
            queryset = self.model.objects.filter(
                stage__roadmap=roadmap, stage__number=self.stage_number
            )
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset

    def new_item(self, *, roadmap, stage):
        if self.stage_number is None:
            return self.model(roadmap=roadmap)
        return self.model(stage=stage)

    def cells(self, item):
        """The list columns of ``item``, as French text."""
        values = []
        for name in self.columns:
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                values.append(str(getattr(item, name)))
                continue
            if field.many_to_many:
                value = list(getattr(item, name).all())
            elif field.is_relation:
                value = getattr(item, name)
            else:
                value = getattr(item, field.attname)
            values.append(field_text(field, value))
        return values

    def page_url(self, roadmap):
        """Where the items are edited: their stage page, or the risk register."""
        if self.stage_number is None:
            return reverse("roadmap:risks", kwargs={"roadmap_pk": roadmap.pk})
        return reverse(
            "roadmap:stage",
            kwargs={"roadmap_pk": roadmap.pk, "number": self.stage_number},
        )

    def url(self, name, roadmap, item=None):
        kwargs = {"roadmap_pk": roadmap.pk, "kind": self.slug}
        if item is not None:
            kwargs["pk"] = item.pk
        return reverse(f"roadmap:{name}", kwargs=kwargs)

    def _label(self, name):
        if name == "score":
            return "criticité"
        return self.model._meta.get_field(name).verbose_name


ITEM_TYPES = [
    ItemType(
        slug="competences",
        model=models.Skill,
        fields=("job_title", "category", "people_available", "shortage_level"),
        columns=("job_title", "category", "people_available", "shortage_level"),
        title="Compétences et métiers",
        empty="Aucun métier recensé pour l'instant.",
        stage_number=StageKind.DIAGNOSTIC,
        export_title="Compétences",
    ),
    ItemType(
        slug="infrastructures",
        model=models.Infrastructure,
        fields=("kind", "name", "area_ha", "availability", "friche_status"),
        columns=("name", "kind", "area_ha", "friche_status"),
        title="Infrastructures et foncier",
        empty="Aucune infrastructure recensée pour l'instant.",
        stage_number=StageKind.DIAGNOSTIC,
        export_title="Infrastructures",
    ),
    ItemType(
        slug="conditions-sociales",
        model=models.SocialCondition,
        fields=("aspect", "rating", "notes"),
        columns=("aspect", "rating", "notes"),
        title="Conditions sociales",
        empty="Aucune condition sociale évaluée pour l'instant.",
        stage_number=StageKind.DIAGNOSTIC,
        export_title="Conditions sociales",
    ),
    ItemType(
        slug="besoins",
        model=models.Need,
        fields=("title", "description", "priority"),
        columns=("title", "priority", "description"),
        title="Besoins du territoire",
        empty="Aucun besoin exprimé pour l'instant.",
        stage_number=StageKind.DIAGNOSTIC,
        export_title="Besoins",
    ),
    ItemType(
        slug="acteurs",
        model=models.LocalActor,
        fields=("kind", "name", "role", "contact", "is_sme", "is_local", "siret"),
        columns=("name", "kind", "role", "is_sme", "is_local"),
        title="Acteurs locaux",
        empty="Aucun acteur local recensé pour l'instant.",
        stage_number=StageKind.DIAGNOSTIC,
        export_title="Acteurs locaux",
    ),
    ItemType(
        slug="axes",
        model=models.Axis,
        fields=("kind", "title", "rationale", "priority", "naf_divisions"),
        columns=("title", "kind", "priority", "naf_divisions"),
        title="Axes stratégiques",
        empty="Aucun axe stratégique défini pour l'instant.",
        stage_number=StageKind.STRATEGY,
        prefetch_related=("naf_divisions",),
        export_title="Axes stratégiques",
    ),
    ItemType(
        slug="formations",
        model=models.TrainingAction,
        fields=(
            "title",
            "provider_kind",
            "places",
            "target_jobs",
            "axis",
            *ACTION_FIELDS,
        ),
        columns=("title", "provider_kind", "places", "axis", "owner", "status")
        + ("progress",),
        title="Actions de formation",
        empty="Aucune action de formation prévue pour l'instant.",
        stage_number=StageKind.SKILLS,
        select_related=("axis", "owner"),
        export_title="Actions de formation",
    ),
    ItemType(
        slug="projets",
        model=models.InvestmentProject,
        fields=("title", "kind", "amount", "axis", *ACTION_FIELDS),
        columns=("title", "kind", "amount", "axis", "owner", "status", "progress"),
        title="Projets d'investissement",
        empty="Aucun projet d'investissement pour l'instant.",
        stage_number=StageKind.INVESTMENT,
        select_related=("axis", "owner"),
        export_title="Projets d'investissement",
    ),
    ItemType(
        slug="financements",
        model=models.FundingLine,
        fields=("kind", "beneficiary_name", *FUNDING_FIELDS),
        columns=(
            "beneficiary_name",
            "kind",
            "project",
            "amount_requested",
            "amount_obtained",
            "amount_paid",
            "status",
        ),
        title="Lignes de financement",
        empty="Aucune ligne de financement pour l'instant.",
        stage_number=StageKind.INVESTMENT,
        select_related=("project",),
        export_title="Lignes de financement",
        export_columns=("beneficiary_name", "kind", *FUNDING_FIELDS),
    ),
    ItemType(
        slug="partenariats",
        model=models.Partnership,
        fields=(
            "contractor",
            "smes",
            "cluster",
            "shared_tools",
            "partnership_status",
            *ACTION_FIELDS,
        ),
        columns=("contractor", "partnership_status", "owner", "status", "progress"),
        title="Partenariats",
        empty="Aucun partenariat pour l'instant.",
        stage_number=StageKind.NETWORK,
        select_related=("owner",),
        export_title="Partenariats",
    ),
    ItemType(
        slug="indicateurs",
        model=models.Indicator,
        fields=("name", "kind", "unit", "baseline", "target", "target_date", "source"),
        columns=("name", "kind", "unit", "baseline", "target", "target_date"),
        title="Indicateurs",
        empty="Aucun indicateur pour l'instant.",
        stage_number=StageKind.MONITORING,
        export_title="Indicateurs",
    ),
    ItemType(
        slug="mesures",
        model=models.Measurement,
        fields=("indicator", "measured_on", "value", "comment", "source"),
        columns=("indicator", "measured_on", "value", "source"),
        title="Mesures",
        empty="Aucune mesure saisie pour l'instant.",
        stage_number=StageKind.MONITORING,
        select_related=("indicator",),
        export_title="Mesures",
    ),
    ItemType(
        slug="risques",
        model=models.Risk,
        fields=("kind", "title", "likelihood", "impact", "mitigation", "owner"),
        columns=("title", "kind", "likelihood", "impact", "score", "owner"),
        title="Registre des risques",
        empty="Aucun risque identifié pour l'instant.",
        stage_number=None,
        select_related=("owner",),
        export_title="Risques",
        export_columns=("title", "kind", "likelihood", "impact", "mitigation", "owner"),
    ),
]

# Stage progress: the action items average their progress; the other stages
# count their item lists filled.
ACTION_MODELS = [t.model for t in ITEM_TYPES if t.bulk_editable]
SECTION_MODELS = {
    number: [t.model for t in ITEM_TYPES if t.stage_number == number]
    for number in StageKind.values
}

BY_SLUG = {item_type.slug: item_type for item_type in ITEM_TYPES}


def get_item_type(slug):
    try:
        return BY_SLUG[slug]
    except KeyError:
        raise Http404("Type d'élément inconnu") from None


def types_of_stage(number):
    return [item_type for item_type in ITEM_TYPES if item_type.stage_number == number]
