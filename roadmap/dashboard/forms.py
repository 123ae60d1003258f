"""Filter forms of the prefecture dashboard."""

from django import forms

from roadmap.dashboard import selectors as dashboard
from roadmap.dashboard.alerts import AlertKind
from roadmap.enums import StageStatus


class MatrixFilterForm(forms.Form):
    department = forms.ChoiceField(label="Département", required=False)
    status = forms.ChoiceField(
        label="Statut d'une étape",
        required=False,
        choices=[("", "Tous les statuts"), *StageStatus.choices],
    )
    waiting = forms.BooleanField(
        label="En attente de mon examen",
        required=False,
        help_text="Bassins ayant une étape soumise à la préfecture",
    )
    sort = forms.ChoiceField(
        label="Trier par", required=False, choices=dashboard.SORT_CHOICES
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "Tous les départements")] + list(
            departments
        )

    def filters(self) -> dashboard.MatrixFilters:
        """The valid filters; an invalid value is ignored (the form shows why)."""
        data = self.cleaned_data if self.is_valid() else {}
        return dashboard.MatrixFilters(
            department=data.get("department", ""),
            status=data.get("status", ""),
            waiting=data.get("waiting", False),
            sort=data.get("sort") or dashboard.SORT_LATENESS,
        )


class DepartmentFilterForm(forms.Form):
    department = forms.ChoiceField(label="Département", required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "Tous les départements")] + list(
            departments
        )

    def selected_department(self) -> str:
        return self.cleaned_data.get("department", "") if self.is_valid() else ""


class AlertFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type d'alerte",
        required=False,
        choices=[("", "Toutes les alertes")]
        + [(kind.value, kind.label) for kind in AlertKind],
    )
    basin = forms.CharField(
        label="Code du bassin",
        required=False,
        max_length=4,
        help_text="Code de la zone d'emploi, sur 4 chiffres (ex. 8409)",
    )

    def clean_basin(self):
        code = self.cleaned_data["basin"].strip()
        if code and not (len(code) == 4 and code.isdigit()):
            raise forms.ValidationError(
                "Le code d'un bassin compte exactement 4 chiffres."
            )
        return code
