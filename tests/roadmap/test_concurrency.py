import threading

import pytest
from django.db import connection
from django.urls import reverse

from roadmap import services
from roadmap.enums import ActionStatus
from roadmap.models import Skill, Stage, TrainingAction
from tests.basins.factories import UserFactory
from tests.roadmap import factories
from tests.roadmap.payloads import edit_payload

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def roadmap(territory):
    return factories.RoadmapFactory(basin=territory["grenoble"])


@pytest.fixture
def colleague(db):
    return UserFactory(first_name="Dominique", last_name="Durand")


def edit_url(roadmap, slug, pk):
    return reverse(
        "roadmap:item_edit", kwargs={"roadmap_pk": roadmap.pk, "kind": slug, "pk": pk}
    )


def delete_url(roadmap, slug, pk):
    return reverse(
        "roadmap:item_delete",
        kwargs={"roadmap_pk": roadmap.pk, "kind": slug, "pk": pk},
    )


def someone_else_edits(item, user, **values):
    """A colleague saves the item first, through the service."""
    fresh = type(item).objects.get(pk=item.pk)
    for name, value in values.items():
        setattr(fresh, name, value)
    return services.update_item(item=fresh, version=fresh.version, user=user)


@pytest.mark.django_db
def test_stale_edit_gets_409_and_keeps_the_other_change(
    client, member, colleague, roadmap
):
    action = factories.TrainingActionFactory(roadmap=roadmap, title="CAP soudure")
    stale = edit_payload("formations", action, roadmap, title="Mon titre")
    someone_else_edits(action, colleague, title="Titre du collègue")
    client.force_login(member)
    response = client.post(edit_url(roadmap, "formations", action.pk), stale)
    assert response.status_code == 409
    action.refresh_from_db()
    assert action.title == "Titre du collègue"
    assert action.version == 2


@pytest.mark.django_db
def test_409_shows_who_changed_what_and_both_values(client, member, colleague, roadmap):
    action = factories.TrainingActionFactory(
        roadmap=roadmap, status=ActionStatus.PLANNED, progress=0
    )
    stale = edit_payload("formations", action, roadmap, progress="50")
    someone_else_edits(action, colleague, status=ActionStatus.IN_PROGRESS)
    client.force_login(member)
    response = client.post(edit_url(roadmap, "formations", action.pk), stale, **HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    assert 'role="alert"' in html
    assert "Modification concurrente" in html
    assert "Dominique Durand" in html
    assert "<td>prévue</td><td>en cours</td>" in html


@pytest.mark.django_db
def test_409_form_carries_the_current_values_and_version(
    client, member, colleague, roadmap
):
    action = factories.TrainingActionFactory(roadmap=roadmap, title="Avant")
    stale = edit_payload("formations", action, roadmap, title="Moi")
    someone_else_edits(action, colleague, title="Collègue")
    client.force_login(member)
    html = client.post(
        edit_url(roadmap, "formations", action.pk), stale, **HTMX
    ).content.decode()
    assert 'name="version" value="2"' in html
    assert 'value="Collègue"' in html


@pytest.mark.django_db
def test_resubmitting_with_the_new_version_saves(client, member, colleague, roadmap):
    action = factories.TrainingActionFactory(roadmap=roadmap)
    someone_else_edits(action, colleague, title="Collègue")
    action.refresh_from_db()
    client.force_login(member)
    response = client.post(
        edit_url(roadmap, "formations", action.pk),
        edit_payload("formations", action, roadmap, places="99"),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.places, action.version) == ("Collègue", 99, 3)


@pytest.mark.django_db
def test_two_forms_of_the_same_version_only_the_first_saves(
    client, member, lead, roadmap
):
    skill = factories.SkillFactory(roadmap=roadmap, job_title="Soudeur")
    first = edit_payload("competences", skill, roadmap, job_title="Premier")
    second = edit_payload("competences", skill, roadmap, job_title="Second")
    client.force_login(member)
    assert client.post(edit_url(roadmap, "competences", skill.pk), first).status_code
    client.force_login(lead)
    response = client.post(edit_url(roadmap, "competences", skill.pk), second)
    assert response.status_code == 409
    skill.refresh_from_db()
    assert skill.job_title == "Premier"


@pytest.mark.django_db
def test_stale_delete_gets_409_and_keeps_the_item(client, member, colleague, roadmap):
    skill = factories.SkillFactory(roadmap=roadmap, job_title="Soudeur")
    someone_else_edits(skill, colleague, people_available=40)
    client.force_login(member)
    response = client.post(
        delete_url(roadmap, "competences", skill.pk), {"version": 1}, **HTMX
    )
    assert response.status_code == 409
    assert "Modification concurrente" in response.content.decode()
    assert Skill.objects.filter(pk=skill.pk).exists()


@pytest.mark.django_db
def test_stale_delete_without_htmx_shows_the_confirmation_with_the_change(
    client, member, colleague, roadmap
):
    skill = factories.SkillFactory(roadmap=roadmap, people_available=3)
    someone_else_edits(skill, colleague, people_available=40)
    client.force_login(member)
    response = client.post(delete_url(roadmap, "competences", skill.pk), {"version": 1})
    html = response.content.decode()
    assert response.status_code == 409
    assert "<td>3</td><td>40</td>" in html
    assert 'name="version" value="2"' in html


@pytest.mark.django_db
def test_editing_an_item_deleted_meanwhile_gets_409(client, member, colleague, roadmap):
    skill = factories.SkillFactory(roadmap=roadmap, job_title="Soudeur")
    stale = edit_payload("competences", skill, roadmap, job_title="Moi")
    services.delete_item(item=skill, version=1, user=colleague)
    client.force_login(member)
    response = client.post(edit_url(roadmap, "competences", skill.pk), stale)
    assert response.status_code == 409
    assert "Dominique Durand a supprimé « Soudeur »" in response.content.decode()
    assert not Skill.objects.filter(pk=skill.pk).exists()


@pytest.mark.django_db
def test_stale_summary_gets_409_and_is_not_overwritten(
    client, member, colleague, roadmap
):
    stage = roadmap.stages.get(number=2)
    services.update_stage_summary(
        stage=stage, summary="Texte du collègue", version=1, user=colleague
    )
    client.force_login(member)
    response = client.post(
        reverse(
            "roadmap:stage_summary", kwargs={"roadmap_pk": roadmap.pk, "number": 2}
        ),
        {"summary": "Mon texte", "version": 1},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Texte du collègue" in html
    assert "Mon texte" in html
    stage.refresh_from_db()
    assert (stage.summary, stage.version) == ("Texte du collègue", 2)


@pytest.mark.django_db
def test_summary_saves_with_the_current_version(client, member, roadmap):
    client.force_login(member)
    url = reverse(
        "roadmap:stage_summary", kwargs={"roadmap_pk": roadmap.pk, "number": 3}
    )
    response = client.post(url, {"summary": "Former 200 soudeurs", "version": 1})
    assert response.status_code == 302
    stage = Stage.objects.get(roadmap=roadmap, number=3)
    assert (stage.summary, stage.version) == ("Former 200 soudeurs", 2)


@pytest.mark.django_db
def test_service_update_with_stale_version_raises_and_changes_nothing(
    colleague, roadmap
):
    action = factories.TrainingActionFactory(roadmap=roadmap, places=10)
    someone_else_edits(action, colleague, places=20)
    action.places = 30
    with pytest.raises(services.EditConflict) as conflict:
        services.update_item(item=action, version=1, user=colleague)
    assert conflict.value.changes == [
        {"field": "places", "label": "places", "seen": "10", "current": "20"}
    ]
    assert TrainingAction.objects.get(pk=action.pk).places == 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_lose_no_update(territory):
    """Threads saving the same row at once: exactly one wins per version."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    user = UserFactory()
    roadmap = factories.RoadmapFactory(basin=territory["grenoble"])
    action = factories.TrainingActionFactory(roadmap=roadmap, places=0)
    outcomes = []
    barrier = threading.Barrier(8)

    def save(places):
        item = TrainingAction.objects.get(pk=action.pk)
        item.places = places
        barrier.wait()
        try:
            services.update_item(item=item, version=1, user=user)
            outcomes.append(("saved", places))
        except services.EditConflict:
            outcomes.append(("conflict", places))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [places for outcome, places in outcomes if outcome == "saved"]
    assert len(saved) == 1
    action.refresh_from_db()
    assert (action.places, action.version) == (saved[0], 2)


@pytest.mark.django_db
def test_409_form_keeps_the_users_other_edits_unsaved(
    client, member, colleague, roadmap
):
    action = factories.TrainingActionFactory(roadmap=roadmap, title="Avant", places=5)
    stale = edit_payload("formations", action, roadmap, title="Moi", places="77")
    someone_else_edits(action, colleague, title="Collègue")
    client.force_login(member)
    html = client.post(
        edit_url(roadmap, "formations", action.pk), stale, **HTMX
    ).content.decode()
    assert 'value="Collègue"' in html
    assert 'name="places" value="77"' in html
    action.refresh_from_db()
    assert (action.title, action.places) == ("Collègue", 5)
