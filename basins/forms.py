from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms import BoundField
from django.forms.renderers import TemplatesSetting


def dsfr_class(widget) -> str:
    """The DSFR class of a widget's input ("" for a checkbox, styled by its
    group)."""
    if isinstance(widget, forms.CheckboxInput):
        return ""
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "fr-select"
    return "fr-input"


class DsfrBoundField(BoundField):
    """A field whose widget carries its DSFR class. Errors and help texts are
    tied to it by Django itself (aria-invalid, aria-describedby naming
    ``<id>_error`` and ``<id>_helptext``, which includes/field.html renders)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = dsfr_class(widget)
        if css:
            classes = [attrs.get("class") or widget.attrs.get("class", ""), css]
            attrs["class"] = " ".join(filter(None, classes))
        return attrs


class DsfrFormRenderer(TemplatesSetting):
    """The project's form renderer (settings.FORM_RENDERER): DSFR widgets,
    and includes/field.html for ``{{ field.as_field_group }}``."""

    field_template_name = "includes/field.html"
    bound_field_class = DsfrBoundField


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Identifiant",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class BasinSearchForm(forms.Form):
    q = forms.CharField(
        label="Rechercher un bassin",
        required=False,
        max_length=100,
        help_text="Nom ou code de la zone d'emploi",
    )
