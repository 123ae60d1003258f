"""Stage progress and coherence facts are cached under the roadmap's stamp
(its latest AuditEvent): every write through the services shows at once."""

import pytest
from django.urls import reverse

from roadmap import selectors, services
from roadmap.enums import StageKind
from tests.roadmap.factories import AxisFactory, RoadmapFactory, TrainingActionFactory

GAP = "L&#x27;axe « Hydrogène » n&#x27;a aucune action de formation"


@pytest.fixture
def roadmap(territory):
    return RoadmapFactory(basin=territory["grenoble"], period_start=2026)


def _add_training(roadmap, axis, user, *, progress):
    item = TrainingActionFactory.build(
        stage=roadmap.stages.get(number=StageKind.SKILLS),
        axis=axis,
        title="Soudeurs hydrogène",
        progress=progress,
    )
    services.create_item(item=item, user=user)
    return item


@pytest.mark.django_db
def test_the_stamp_changes_with_every_write(roadmap, lead):
    stamp = selectors.roadmap_stamp(roadmap=roadmap)
    assert selectors.roadmap_stamp(roadmap=roadmap) == stamp
    stage = roadmap.stages.get(number=StageKind.DIAGNOSTIC)
    services.update_stage_summary(
        stage=stage, summary="Bassin industriel.", version=stage.version, user=lead
    )
    assert selectors.roadmap_stamp(roadmap=roadmap) != stamp
    other = RoadmapFactory(basin=roadmap.basin, period_start=2030)
    assert selectors.roadmap_stamp(roadmap=other) != stamp


@pytest.mark.django_db
def test_overview_shows_a_write_after_being_cached(client, member, roadmap):
    axis = AxisFactory(roadmap=roadmap, title="Hydrogène")
    client.force_login(member)
    url = reverse("roadmap:overview", kwargs={"pk": roadmap.pk})
    first = client.get(url)
    assert GAP in first.content.decode()
    skills = {s.number: s.progress for s in first.context["overview"].stages}
    assert skills[StageKind.SKILLS] == 0
    assert client.get(url).content.decode().count(GAP) == 1  # From the cache.
    _add_training(roadmap, axis, member, progress=40)
    second = client.get(url)
    assert GAP not in second.content.decode()
    progress = {s.number: s.progress for s in second.context["overview"].stages}
    assert progress[StageKind.SKILLS] == 40


@pytest.mark.django_db
def test_stage_page_progress_follows_a_summary_edit(client, member, roadmap):
    stage = roadmap.stages.get(number=StageKind.DIAGNOSTIC)
    client.force_login(member)
    url = stage.get_absolute_url()
    assert client.get(url).context["progress"] == 0
    assert client.get(url).context["progress"] == 0  # From the cache.
    services.update_stage_summary(
        stage=stage, summary="Bassin industriel.", version=stage.version, user=member
    )
    response = client.get(url)
    assert response.context["progress"] > 0
    nav = {s.number: s.progress for s in response.context["stages"]}
    assert nav[StageKind.DIAGNOSTIC] == response.context["progress"]


@pytest.mark.django_db
def test_review_panel_gaps_follow_a_new_training_action(client, lead, roadmap):
    axis = AxisFactory(roadmap=roadmap, title="Hydrogène")
    strategy = roadmap.stages.get(number=StageKind.STRATEGY)
    client.force_login(lead)
    url = strategy.get_absolute_url()
    assert GAP in client.get(url).content.decode()
    assert GAP in client.get(url).content.decode()  # From the cache.
    _add_training(roadmap, axis, lead, progress=0)
    assert GAP not in client.get(url).content.decode()
