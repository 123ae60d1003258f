import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmap.enums import AuditAction, StageKind, StageStatus
from roadmap.forms import item_form_class
from roadmap.models import AuditEvent, Axis, LocalActor, TrainingAction
from roadmap.models.registry import ITEM_TYPES, get_item_type
from tests.roadmap import factories
from tests.roadmap.payloads import EDITS, edit_payload, payload

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def normalize(html):
    """HTML without CSRF tokens (new at each render) nor layout whitespace."""
    return " ".join(CSRF.sub("", html).split())


SLUGS = [item_type.slug for item_type in ITEM_TYPES]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def roadmap(territory):
    return factories.RoadmapFactory(basin=territory["grenoble"])


def url(name, roadmap, slug, pk=None):
    kwargs = {"roadmap_pk": roadmap.pk, "kind": slug}
    if pk is not None:
        kwargs["pk"] = pk
    return reverse(f"roadmap:{name}", kwargs=kwargs)


def stage_url(roadmap, number):
    return reverse("roadmap:stage", kwargs={"roadmap_pk": roadmap.pk, "number": number})


# --- Create, edit, delete for every item type -----------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_create_item_saves_it_and_redirects_to_its_page(client, member, roadmap, slug):
    item_type = get_item_type(slug)
    before = item_type.queryset(roadmap=roadmap).count()
    client.force_login(member)
    response = client.post(url("item_create", roadmap, slug), payload(slug, roadmap))
    assert response.status_code == 302
    assert response["Location"] == item_type.page_url(roadmap)
    assert item_type.queryset(roadmap=roadmap).count() == before + 1


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_create_item_records_a_create_event(client, member, roadmap, slug):
    client.force_login(member)
    client.post(url("item_create", roadmap, slug), payload(slug, roadmap))
    item_type = get_item_type(slug)
    item = item_type.queryset(roadmap=roadmap).order_by("-pk").first()
    event = AuditEvent.objects.get(
        model_label=item._meta.label_lower,
        object_id=str(item.pk),
        action=AuditAction.CREATE,
    )
    assert event.user == member
    assert event.roadmap == roadmap
    field, _ = EDITS[slug]
    assert event.changes[field][0] == ""
    assert event.changes[field][1] == str(getattr(item, field))


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_edit_item_saves_change_and_bumps_version(client, member, roadmap, slug):
    item = factories.make_item(slug, roadmap)
    field, value = EDITS[slug]
    client.force_login(member)
    response = client.post(
        url("item_edit", roadmap, slug, item.pk),
        edit_payload(slug, item, roadmap, **{field: value}),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert getattr(item, field) == value
    assert item.version == 2


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_edit_item_records_old_and_new_values(client, member, roadmap, slug):
    item = factories.make_item(slug, roadmap)
    field, value = EDITS[slug]
    old = str(getattr(item, field))
    client.force_login(member)
    client.post(
        url("item_edit", roadmap, slug, item.pk),
        edit_payload(slug, item, roadmap, **{field: value}),
    )
    event = AuditEvent.objects.get(
        object_id=str(item.pk),
        model_label=item._meta.label_lower,
        action=AuditAction.UPDATE,
    )
    assert event.changes == {field: [old, value]}
    assert event.user == member
    assert event.object_version == 2


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_delete_item_removes_it_and_records_it(client, member, roadmap, slug):
    item = factories.make_item(slug, roadmap)
    client.force_login(member)
    response = client.post(
        url("item_delete", roadmap, slug, item.pk), {"version": item.version}
    )
    assert response.status_code == 302
    assert not type(item).objects.filter(pk=item.pk).exists()
    event = AuditEvent.objects.get(
        object_id=str(item.pk),
        model_label=item._meta.label_lower,
        action=AuditAction.DELETE,
    )
    assert event.user == member
    assert event.object_repr == str(item)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_htmx_create_returns_the_updated_list_and_an_event(
    client, member, roadmap, slug
):
    client.force_login(member)
    response = client.post(
        url("item_create", roadmap, slug), payload(slug, roadmap), **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="section-{slug}"' in html
    assert response["HX-Retarget"] == f"#section-{slug}"
    assert response["HX-Reswap"] == "outerHTML"
    assert "roadmap-changed" in response["HX-Trigger"]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_empty_form_gets_422_with_french_errors(client, member, roadmap, slug):
    client.force_login(member)
    before = AuditEvent.objects.count()
    response = client.post(url("item_create", roadmap, slug), {}, **HTMX)
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in response.content.decode()
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_invalid_form_without_htmx_renders_the_full_page(client, member, roadmap):
    client.force_login(member)
    response = client.post(url("item_create", roadmap, "competences"), {})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" in html
    assert 'aria-invalid="true"' in html


@pytest.mark.django_db
def test_htmx_delete_returns_the_list_without_the_item(client, member, roadmap):
    skill = factories.SkillFactory(roadmap=roadmap, job_title="Tourneur")
    client.force_login(member)
    response = client.post(
        url("item_delete", roadmap, "competences", skill.pk),
        {"version": skill.version},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Tourneur" not in response.content.decode()
    assert "roadmap-changed" in response["HX-Trigger"]


# --- Choices limited to the roadmap ---------------------------------------


@pytest.mark.django_db
def test_owner_choices_are_the_roadmap_actors_only(client, member, roadmap):
    own = factories.LocalActorFactory(roadmap=roadmap, name="Acteur du bassin")
    factories.LocalActorFactory(name="Acteur d'ailleurs")
    client.force_login(member)
    html = client.get(url("item_create", roadmap, "formations")).content.decode()
    assert f'value="{own.pk}"' in html
    assert "Acteur du bassin" in html
    assert "Acteur d&#x27;ailleurs" not in html


@pytest.mark.django_db
def test_owner_from_another_basin_is_refused(client, member, roadmap, territory):
    foreign = factories.LocalActorFactory(
        roadmap=factories.RoadmapFactory(basin=territory["chateauroux"])
    )
    client.force_login(member)
    response = client.post(
        url("item_create", roadmap, "formations"),
        payload("formations", roadmap, owner=str(foreign.pk)),
    )
    assert response.status_code == 422
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not TrainingAction.objects.exists()


@pytest.mark.django_db
def test_axis_from_another_roadmap_is_refused(client, member, roadmap):
    foreign_axis = factories.AxisFactory()
    client.force_login(member)
    response = client.post(
        url("item_create", roadmap, "projets"),
        payload("projets", roadmap, axis=str(foreign_axis.pk)),
    )
    assert response.status_code == 422
    assert not get_item_type("projets").queryset(roadmap=roadmap).exists()


@pytest.mark.django_db
def test_training_action_keeps_an_axis_of_its_roadmap(client, member, roadmap):
    axis = factories.AxisFactory(roadmap=roadmap)
    client.force_login(member)
    client.post(
        url("item_create", roadmap, "formations"),
        payload("formations", roadmap, axis=str(axis.pk)),
    )
    assert TrainingAction.objects.get().axis == axis


@pytest.mark.django_db
def test_axis_stores_several_naf_divisions(client, member, roadmap):
    client.force_login(member)
    client.post(url("item_create", roadmap, "axes"), payload("axes", roadmap))
    axis = Axis.objects.get(stage__roadmap=roadmap)
    assert sorted(axis.naf_divisions.values_list("code", flat=True)) == ["26", "27"]


@pytest.mark.django_db
def test_end_date_before_start_gets_a_french_error(client, member, roadmap):
    client.force_login(member)
    response = client.post(
        url("item_create", roadmap, "formations"),
        payload("formations", roadmap, start_date="2027-01-01", end_date="2026-01-01"),
    )
    assert response.status_code == 422
    assert "La date de fin doit suivre la date de début." in response.content.decode()


@pytest.mark.django_db
def test_progress_above_100_gets_a_french_error(client, member, roadmap):
    client.force_login(member)
    response = client.post(
        url("item_create", roadmap, "partenariats"),
        payload("partenariats", roadmap, progress="150"),
    )
    assert response.status_code == 422
    assert "inférieure ou égale à 100" in response.content.decode()


# --- Forged URLs and permissions ------------------------------------------


@pytest.mark.django_db
def test_item_of_another_roadmap_is_not_found(client, member, roadmap, territory):
    other = factories.RoadmapFactory(basin=territory["grenoble"])
    skill = factories.SkillFactory(roadmap=other)
    client.force_login(member)
    response = client.post(
        url("item_edit", roadmap, "competences", skill.pk),
        edit_payload("competences", skill, other, job_title="Piraté"),
    )
    assert response.status_code == 404
    skill.refresh_from_db()
    assert skill.job_title != "Piraté"


@pytest.mark.django_db
def test_item_under_the_wrong_type_is_not_found(client, member, roadmap):
    skill = factories.SkillFactory(roadmap=roadmap)
    client.force_login(member)
    response = client.post(
        url("item_delete", roadmap, "besoins", skill.pk), {"version": 1}
    )
    assert response.status_code == 404
    assert type(skill).objects.filter(pk=skill.pk).exists()


@pytest.mark.django_db
def test_unknown_item_type_is_not_found(client, member, roadmap):
    client.force_login(member)
    assert client.get(url("item_list", roadmap, "licornes")).status_code == 404


@pytest.mark.django_db
def test_stage_number_out_of_range_is_not_found(client, member, roadmap):
    client.force_login(member)
    assert client.get(stage_url(roadmap, 7)).status_code == 404


@pytest.mark.django_db
def test_reviewer_cannot_create_items(client, department_reviewer, roadmap):
    client.force_login(department_reviewer)
    response = client.post(
        url("item_create", roadmap, "competences"), payload("competences", roadmap)
    )
    assert response.status_code == 403
    assert not get_item_type("competences").queryset(roadmap=roadmap).exists()


@pytest.mark.django_db
def test_reviewer_cannot_edit_items(client, region_reviewer, roadmap):
    skill = factories.SkillFactory(roadmap=roadmap, job_title="Soudeur")
    client.force_login(region_reviewer)
    response = client.post(
        url("item_edit", roadmap, "competences", skill.pk),
        edit_payload("competences", skill, roadmap, job_title="Changé"),
    )
    assert response.status_code == 403
    skill.refresh_from_db()
    assert skill.job_title == "Soudeur"


@pytest.mark.django_db
def test_reviewer_reads_the_stage_without_edit_buttons(
    client, department_reviewer, roadmap
):
    factories.SkillFactory(roadmap=roadmap, job_title="Soudeur")
    client.force_login(department_reviewer)
    response = client.get(stage_url(roadmap, 1))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Soudeur" in html
    assert 'id="add-competences"' not in html
    assert 'id="summary-form"' not in html


@pytest.mark.django_db
def test_other_basin_roadmap_is_not_found(client, member, territory):
    roadmap = factories.RoadmapFactory(basin=territory["chateauroux"])
    client.force_login(member)
    assert client.get(stage_url(roadmap, 1)).status_code == 404
    response = client.post(
        url("item_create", roadmap, "competences"), payload("competences", roadmap)
    )
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("status", [StageStatus.SUBMITTED, StageStatus.VALIDATED])
def test_locked_stage_refuses_committee_writes_in_french(
    client, member, roadmap, status
):
    roadmap.stages.filter(number=StageKind.DIAGNOSTIC).update(status=status)
    client.force_login(member)
    response = client.post(
        url("item_create", roadmap, "competences"), payload("competences", roadmap)
    )
    assert response.status_code == 403
    assert "plus la modifier" in response.content.decode()
    assert not get_item_type("competences").queryset(roadmap=roadmap).exists()


@pytest.mark.django_db
def test_validated_stage_hides_edit_buttons(client, member, roadmap):
    roadmap.stages.filter(number=1).update(status=StageStatus.VALIDATED)
    factories.SkillFactory(roadmap=roadmap)
    client.force_login(member)
    html = client.get(stage_url(roadmap, 1)).content.decode()
    assert 'id="add-competences"' not in html
    assert 'id="stage-locked"' in html


@pytest.mark.django_db
def test_returned_stage_is_editable_again(client, member, roadmap):
    roadmap.stages.filter(number=1).update(status=StageStatus.RETURNED)
    client.force_login(member)
    response = client.post(
        url("item_create", roadmap, "competences"), payload("competences", roadmap)
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_risks_stay_editable_when_stages_are_validated(client, member, roadmap):
    roadmap.stages.update(status=StageStatus.VALIDATED)
    client.force_login(member)
    response = client.post(
        url("item_create", roadmap, "risques"), payload("risques", roadmap)
    )
    assert response.status_code == 302


# --- Stage page: same content with HTMX, bounded queries ------------------


@pytest.mark.django_db
def test_item_list_partial_matches_the_stage_page(client, member, roadmap):
    factories.SkillFactory(roadmap=roadmap, job_title="Mécanicien")
    client.force_login(member)
    partial = client.get(url("item_list", roadmap, "competences"), **HTMX)
    full = client.get(stage_url(roadmap, 1)).content.decode()
    fragment = partial.content.decode()
    assert "<html" not in fragment
    assert "Mécanicien" in fragment
    assert normalize(fragment) in normalize(full)


@pytest.mark.django_db
def test_risk_list_partial_matches_the_risk_page(client, member, roadmap):
    factories.RiskFactory(roadmap=roadmap, title="Précipitation des élus")
    client.force_login(member)
    partial = client.get(url("item_list", roadmap, "risques"), **HTMX)
    full = client.get(reverse("roadmap:risks", kwargs={"roadmap_pk": roadmap.pk}))
    fragment = partial.content.decode()
    assert "Précipitation des élus" in fragment
    assert normalize(fragment) in normalize(full.content.decode())


@pytest.mark.django_db
def test_item_form_partial_matches_the_full_form_page(client, member, roadmap):
    client.force_login(member)
    partial = client.get(url("item_create", roadmap, "acteurs"), **HTMX)
    full = client.get(url("item_create", roadmap, "acteurs"))
    fragment = partial.content.decode()
    assert 'id="item-form-acteurs"' in fragment
    assert "<html" in full.content.decode()
    assert "<html" not in fragment
    assert normalize(fragment) in normalize(full.content.decode())


@pytest.mark.django_db
def test_every_field_of_every_form_has_a_label(client, member, roadmap):
    client.force_login(member)
    for slug in SLUGS:
        html = client.get(url("item_create", roadmap, slug), **HTMX).content.decode()
        form = item_form_class(get_item_type(slug))(roadmap=roadmap)
        for field in form.visible_fields():
            assert f'for="{field.id_for_label}"' in html, (slug, field.name)


def _count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("number", list(StageKind.values))
def test_stage_page_queries_do_not_grow_with_items(
    client, member, roadmap, number, django_assert_max_num_queries
):
    client.force_login(member)
    path = stage_url(roadmap, number)
    for item_type in ITEM_TYPES:
        if item_type.stage_number == number:
            factories.make_item(item_type.slug, roadmap)
    # Stage 1 shows the basin diagnostic, whose SIRENE aggregates are cached:
    # count once the cache is warm.
    client.get(path)
    few = _count_queries(client, path)
    actor = LocalActor.objects.filter(stage__roadmap=roadmap).first()
    for item_type in ITEM_TYPES:
        if item_type.stage_number == number:
            for _ in range(12):
                item = factories.make_item(item_type.slug, roadmap)
                if hasattr(item, "owner_id") and actor:
                    item.owner = actor
                    item.save()
    many = _count_queries(client, path)
    assert many == few
    with django_assert_max_num_queries(12):
        client.get(path)


# --- Bulk status update ---------------------------------------------------


@pytest.mark.django_db
def test_bulk_update_sets_status_of_the_selection_and_records_each(
    client, member, roadmap
):
    chosen = [factories.PartnershipFactory(roadmap=roadmap) for _ in range(2)]
    other = factories.PartnershipFactory(roadmap=roadmap)
    client.force_login(member)
    response = client.post(
        url("item_bulk", roadmap, "partenariats"),
        {"items": [p.pk for p in chosen], "status": "done", "progress": "100"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "roadmap-changed" in response["HX-Trigger"]
    statuses = dict(type(other).objects.values_list("pk", "status"))
    assert statuses == {chosen[0].pk: "done", chosen[1].pk: "done", other.pk: "planned"}
    events = AuditEvent.objects.filter(action=AuditAction.BULK_UPDATE, user=member)
    assert sorted(events.values_list("object_id", flat=True)) == sorted(
        str(p.pk) for p in chosen
    )


@pytest.mark.django_db
def test_bulk_update_without_selection_gets_422_in_french(client, member, roadmap):
    factories.PartnershipFactory(roadmap=roadmap)
    client.force_login(member)
    response = client.post(
        url("item_bulk", roadmap, "partenariats"), {"status": "done"}, **HTMX
    )
    assert response.status_code == 422
    assert "Cochez au moins un élément" in response.content.decode()


@pytest.mark.django_db
def test_bulk_update_refuses_items_of_another_roadmap(client, member, roadmap):
    foreign = factories.PartnershipFactory()
    client.force_login(member)
    response = client.post(
        url("item_bulk", roadmap, "partenariats"),
        {"items": [foreign.pk], "status": "done"},
    )
    assert response.status_code == 422
    foreign.refresh_from_db()
    assert foreign.status == "planned"


@pytest.mark.django_db
def test_bulk_update_is_only_for_action_items(client, member, roadmap):
    skill = factories.SkillFactory(roadmap=roadmap)
    client.force_login(member)
    response = client.post(
        url("item_bulk", roadmap, "competences"), {"items": [skill.pk]}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_reviewer_cannot_bulk_update(client, department_reviewer, roadmap):
    action = factories.TrainingActionFactory(roadmap=roadmap)
    client.force_login(department_reviewer)
    response = client.post(
        url("item_bulk", roadmap, "formations"),
        {"items": [action.pk], "status": "done"},
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == "planned"


@pytest.mark.django_db
def test_friche_status_on_a_road_gets_a_french_error(client, member, roadmap):
    client.force_login(member)
    response = client.post(
        url("item_create", roadmap, "infrastructures"),
        payload("infrastructures", roadmap, kind="road"),
    )
    assert response.status_code == 422
    assert "ne concerne que les friches" in response.content.decode()


@pytest.mark.django_db
def test_measurement_of_another_roadmap_indicator_is_refused(client, member, roadmap):
    foreign = factories.IndicatorFactory()
    client.force_login(member)
    response = client.post(
        url("item_create", roadmap, "mesures"),
        payload("mesures", roadmap, indicator=str(foreign.pk)),
    )
    assert response.status_code == 422
    assert not foreign.measurements.exists()


@pytest.mark.django_db
def test_delete_link_without_js_opens_a_confirmation(client, member, roadmap):
    skill = factories.SkillFactory(roadmap=roadmap, job_title="Fraiseur")
    client.force_login(member)
    stage_html = client.get(stage_url(roadmap, 1)).content.decode()
    delete = url("item_delete", roadmap, "competences", skill.pk)
    assert f'href="{delete}"' in stage_html
    response = client.get(delete)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Supprimer « Fraiseur » ?" in html
    assert 'name="version" value="1"' in html
    assert type(skill).objects.filter(pk=skill.pk).exists()


@pytest.mark.django_db
def test_stage_page_shows_its_progress(client, member, roadmap):
    factories.TrainingActionFactory(roadmap=roadmap, progress=30)
    factories.TrainingActionFactory(roadmap=roadmap, progress=50)
    client.force_login(member)
    html = client.get(stage_url(roadmap, 3)).content.decode()
    assert "Avancement de l'étape : 40 %" in html
    assert 'value="40"' in html
