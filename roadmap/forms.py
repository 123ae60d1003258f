from functools import cache

from django import forms
from django.db.models import Q

from diagnostics.models import NafDivision
from roadmap import models
from roadmap.enums import ActionStatus

YEAR_HELP = "Année sur quatre chiffres, par exemple 2026."


class VersionedModelForm(forms.ModelForm):
    """A hidden ``version``: the one the user saw, checked when saving."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput,
            min_value=1,
            required=self.instance.pk is not None,
            initial=self.instance.version if self.instance.pk else None,
            error_messages={
                "required": "La version de l'élément manque : rechargez la page."
            },
        )


class ItemForm(VersionedModelForm):
    """Base of every item form: choices limited to the item's own roadmap."""

    def __init__(self, *args, roadmap, **kwargs):
        super().__init__(*args, **kwargs)
        self.roadmap = roadmap
        scoped = {
            "owner": models.LocalActor.objects.filter(stage__roadmap=roadmap),
            "axis": models.Axis.objects.filter(stage__roadmap=roadmap),
            "project": models.InvestmentProject.objects.filter(stage__roadmap=roadmap),
            "indicator": models.Indicator.objects.filter(stage__roadmap=roadmap),
        }
        for name, queryset in scoped.items():
            if name in self.fields:
                self.fields[name].queryset = queryset
                self.fields[name].empty_label = "— Aucun —"
        if "naf_divisions" in self.fields:
            self.fields["naf_divisions"].queryset = NafDivision.objects.all()
            self.fields["naf_divisions"].widget.attrs["size"] = 8
            self.fields[
                "naf_divisions"
            ].help_text = "Maintenez Ctrl (ou Cmd) pour en choisir plusieurs."

    @property
    def m2m_data(self):
        """Many-to-many values, saved by the service after the row."""
        return {
            field.name: self.cleaned_data[field.name]
            for field in self.instance._meta.many_to_many
            if field.name in self.cleaned_data
        }


WIDGETS = {
    "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "target_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "measured_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
}
TEXTAREA_FIELDS = {
    "availability",
    "notes",
    "description",
    "rationale",
    "target_jobs",
    "conditions",
    "smes",
    "cluster",
    "shared_tools",
    "comment",
    "mitigation",
}


@cache
def item_form_class(item_type):
    """The ModelForm of an item type (roadmap.models.registry), house widgets."""
    fields = list(item_type.fields)
    widgets = {name: widget for name, widget in WIDGETS.items() if name in fields}
    widgets.update(
        {
            name: forms.Textarea(attrs={"rows": 3})
            for name in fields
            if name in TEXTAREA_FIELDS
        }
    )
    return forms.modelform_factory(
        item_type.model, form=ItemForm, fields=fields, widgets=widgets
    )


class StageSummaryForm(VersionedModelForm):
    summary = forms.CharField(
        label="Synthèse de l'étape",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Ce que le comité retient de cette étape, en quelques lignes.",
    )

    class Meta:
        model = models.Stage
        fields = ["summary"]


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Commentaire",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Écrivez votre commentaire avant de l'envoyer."},
    )


class RoadmapForm(forms.ModelForm):
    title = forms.CharField(
        label="Titre",
        required=False,
        max_length=200,
        help_text="Laissez vide pour « Feuille de route <bassin> <période> ».",
    )

    class Meta:
        model = models.Roadmap
        fields = ["period_start", "period_end", "title"]
        help_texts = {
            "period_start": YEAR_HELP,
            "period_end": YEAR_HELP,
        }

    def __init__(self, *args, basin, **kwargs):
        self.basin = basin
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("period_start")
        end = cleaned.get("period_end")
        if start is None or end is None:
            return cleaned
        if end < start:
            self.add_error("period_end", "La fin de la période doit suivre son début.")
            return cleaned
        if end - start > 10:
            self.add_error("period_end", "Une feuille de route couvre au plus dix ans.")
            return cleaned
        overlapping = (
            models.Roadmap.objects.filter(basin=self.basin)
            .filter(Q(period_start__lte=end) & Q(period_end__gte=start))
            .order_by("period_start")
            .first()
        )
        if overlapping:
            raise forms.ValidationError(
                "Ce bassin a déjà une feuille de route sur cette période "
                f"({overlapping.period_label}) : choisissez une autre période.",
                code="duplicate_period",
            )
        return cleaned


class BulkStatusForm(forms.Form):
    """Set the status (and optionally the progress) of several action items."""

    items = forms.ModelMultipleChoiceField(
        queryset=models.Skill.objects.none(),
        error_messages={
            "required": "Cochez au moins un élément de la liste.",
            "invalid_choice": "Un élément coché n'existe plus : rechargez la page.",
        },
    )
    status = forms.ChoiceField(label="Nouveau statut", choices=ActionStatus.choices)
    progress = forms.IntegerField(
        label="Nouvel avancement (%)",
        required=False,
        min_value=0,
        max_value=100,
        help_text="Laissez vide pour ne pas le changer.",
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = queryset

    @property
    def values(self):
        values = {"status": self.cleaned_data["status"]}
        if self.cleaned_data["progress"] is not None:
            values["progress"] = self.cleaned_data["progress"]
        return values
