"""The DSFR form renderer: widgets get their DSFR class, and every error
message is tied to its field with Django's own ids."""

from django import forms
from django.template.loader import render_to_string


class UploadForm(forms.Form):
    name = forms.CharField(label="Nom", help_text="Comme sur le fichier.")
    kind = forms.ChoiceField(label="Type", choices=[("a", "A")], required=False)
    confirm = forms.BooleanField(label="Confirmer", required=False)


def test_widgets_get_their_dsfr_class():
    form = UploadForm()

    assert 'class="fr-input"' in str(form["name"])
    assert 'class="fr-select"' in str(form["kind"])
    assert "fr-input" not in str(form["confirm"])


def test_validation_error_is_tied_to_its_field():
    form = UploadForm({"name": ""})

    html = str(form["name"])

    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html


def test_the_field_template_renders_the_ids_it_is_described_by():
    form = UploadForm({"name": ""})

    html = render_to_string("includes/field.html", {"field": form["name"]})

    assert 'id="id_name_error"' in html
    assert 'id="id_name_helptext"' in html
    assert form["name"].as_field_group().strip() == html.strip()


def test_error_added_by_a_view_after_validation_is_tied_to_its_field():
    form = UploadForm({"name": "stock.csv"})
    assert form.is_valid()

    form.add_error("name", "Le fichier n'est pas encodé en UTF-8.")

    html = str(form["name"])
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html


def test_form_wide_error_marks_no_field():
    form = UploadForm({"name": "stock.csv"})
    assert form.is_valid()

    form.add_error(None, "Erreur générale.")

    assert "aria-invalid" not in str(form["name"])


def test_building_a_form_does_not_validate_it():
    form = UploadForm({"name": ""})

    assert form._errors is None
