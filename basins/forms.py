from django import forms
from django.contrib.auth.forms import AuthenticationForm


class DsfrFormMixin:
    """Give widgets the DSFR classes and tie error messages to their field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            if isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "fr-select"
            else:
                css = "fr-input"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if self.is_bound and name in self.errors:
                self._tie_error(name)

    def add_error(self, field, error):
        # Also errors a view adds after validation (say, a refused upload):
        # Django's own aria-describedby would point at an id nothing has.
        super().add_error(field, error)
        for name in self._errors:
            if name in self.fields:
                self._tie_error(name)

    def _tie_error(self, name):
        widget = self.fields[name].widget
        if isinstance(widget, forms.CheckboxInput):
            return
        widget.attrs["aria-invalid"] = "true"
        widget.attrs["aria-describedby"] = f"{self[name].auto_id}-errors"


class LoginForm(DsfrFormMixin, AuthenticationForm):
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
