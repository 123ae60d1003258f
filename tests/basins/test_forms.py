"""DSFR form mixin: every error message is tied to its field."""

from django import forms

from basins.forms import DsfrFormMixin


class UploadForm(DsfrFormMixin, forms.Form):
    name = forms.CharField(label="Nom", help_text="Comme sur le fichier.")


def test_validation_error_is_tied_to_its_field():
    form = UploadForm({"name": ""})

    html = str(form["name"])

    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name-errors"' in html


def test_error_added_by_a_view_after_validation_is_tied_to_its_field():
    form = UploadForm({"name": "stock.csv"})
    assert form.is_valid()

    form.add_error("name", "Le fichier n'est pas encodé en UTF-8.")

    html = str(form["name"])
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name-errors"' in html


def test_form_wide_error_marks_no_field():
    form = UploadForm({"name": "stock.csv"})
    assert form.is_valid()

    form.add_error(None, "Erreur générale.")

    assert "aria-invalid" not in str(form["name"])
