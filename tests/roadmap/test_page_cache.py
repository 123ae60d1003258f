"""Stage progress and coherence facts are cached under the roadmap's stamp
(its latest AuditEvent): every write through the services shows at once."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from basins.enums import Role
from diagnostics.models import ImportKind
from roadmap import selectors, services
from roadmap.enums import AuthorRole, StageKind
from roadmap.services import workflow
from roadmap.services.pins import pin_figure
from roadmap.templatetags.stamped import CSRF_PLACEHOLDER
from tests.basins.factories import MembershipFactory
from tests.diagnostics.compute_factories import ImportRunFactory, PopulationCountFactory
from tests.roadmap.factories import AxisFactory, RoadmapFactory, TrainingActionFactory

GAP = "L&#x27;axe « Hydrogène » n&#x27;a aucune action de formation"


@pytest.fixture(autouse=True)
def _empty_cache():
    # Ids are reused on SQLite: no page of a previous test may linger.
    cache.clear()
    yield
    cache.clear()


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


# --- Rendered fragments (overview body, stage lists and history) -------------


def _section(html, element_id):
    """The markup of the <section id=...> of a page."""
    start = html.index(f'<section id="{element_id}"')
    return html[start : html.index("</section>", start)]


def _page(client, url):
    """The page twice: the second time its fragments come from the cache."""
    first = client.get(url).content.decode()
    second = client.get(url).content.decode()
    assert _section(second, "history") == _section(first, "history")
    return second


@pytest.fixture
def action_stage(roadmap):
    return roadmap.stages.get(number=StageKind.STRATEGY)


@pytest.mark.django_db
def test_stage_lists_show_a_new_item_after_being_cached(
    client, member, roadmap, action_stage
):
    axis = AxisFactory(roadmap=roadmap, title="Hydrogène")
    client.force_login(member)
    url = roadmap.stages.get(number=StageKind.SKILLS).get_absolute_url()
    assert "Soudeurs hydrogène" not in _page(client, url)
    item = _add_training(roadmap, axis, member, progress=10)
    html = client.get(url).content.decode()
    assert f'id="item-formations-{item.pk}"' in html
    assert "Soudeurs hydrogène" in _section(html, "history")


@pytest.mark.django_db
def test_stage_page_follows_a_transition_after_being_cached(
    client, member, lead, roadmap
):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    item = TrainingActionFactory(stage=stage)
    client.force_login(member)
    url = stage.get_absolute_url()
    before = _page(client, url)
    assert f'id="edit-formations-{item.pk}"' in before
    workflow.transition_stage(
        stage=stage, user=lead, action="submit", version=stage.version
    )
    html = client.get(url).content.decode()
    # Submitted: the committee may no longer edit, the history says so.
    assert f'id="edit-formations-{item.pk}"' not in html
    assert f'id="item-formations-{item.pk}"' in html
    assert _section(html, "history") != _section(before, "history")


@pytest.mark.django_db
def test_stage_history_shows_a_comment_after_being_cached(client, member, roadmap):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    client.force_login(member)
    url = stage.get_absolute_url()
    assert "Relancer le lycée" not in _section(_page(client, url), "history")
    services.add_comment(
        stage=stage,
        user=member,
        body="Relancer le lycée",
        author_role=AuthorRole.COMMITTEE,
    )
    html = client.get(url).content.decode()
    assert "Relancer le lycée" in _section(html, "history")
    assert "Relancer le lycée" in _section(html, "comments")


@pytest.mark.django_db
def test_stage_history_shows_a_pin_after_being_cached(client, member, roadmap):
    population = ImportRunFactory(kind=ImportKind.POPULATION, file_name="pop_ze.csv")
    PopulationCountFactory(
        basin=roadmap.basin, import_run=population, year=2021, population=712345
    )
    stage = roadmap.stages.get(number=StageKind.DIAGNOSTIC)
    client.force_login(member)
    url = stage.get_absolute_url()
    before = _section(_page(client, url), "history")
    pin_figure(stage=stage, key="population:last", user=member)
    after = _section(client.get(url).content.decode(), "history")
    assert after.count('<li class="fr-mb-2w">') == (
        before.count('<li class="fr-mb-2w">') + 1
    )


@pytest.mark.django_db
def test_overview_follows_a_transition_after_being_cached(client, lead, roadmap):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    client.force_login(lead)
    url = reverse("roadmap:overview", kwargs={"pk": roadmap.pk})
    first = _main(client.get(url).content.decode())
    assert _main(client.get(url).content.decode()) == first  # From the cache.
    assert "soumise" not in _section_table(first).lower()
    workflow.transition_stage(
        stage=stage, user=lead, action="submit", version=stage.version
    )
    assert _main(client.get(url).content.decode()) != first


def _main(html):
    """The page's main content (the header holds a per-request CSRF token)."""
    return html[html.index('<main id="content"') : html.index("</main>")]


def _section_table(html):
    start = html.index('id="stage-table"')
    return html[start : html.index("</table>", start)]


@pytest.mark.django_db
@pytest.mark.parametrize("reviewer_first", [True, False])
def test_reviewer_and_member_never_share_cached_markup(
    client, member, department_reviewer, roadmap, reviewer_first
):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    item = TrainingActionFactory(stage=stage)
    url = stage.get_absolute_url()
    pages = {}
    users = [department_reviewer, member]
    for user in users if reviewer_first else users[::-1]:
        client.force_login(user)
        pages[user] = _page(client, url)
    member_page, reviewer_page = pages[member], pages[department_reviewer]
    for marker in (
        f'id="edit-formations-{item.pk}"',
        f'id="delete-formations-{item.pk}"',
        'id="bulk-formations"',
        'id="add-formations"',
    ):
        assert marker in member_page
        assert marker not in reviewer_page
    assert "Valider l'étape" not in member_page


@pytest.mark.django_db
def test_cached_forms_carry_the_token_of_each_request(member, roadmap):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    item = TrainingActionFactory(stage=stage, progress=0)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    html = _page(client, stage.get_absolute_url())
    assert CSRF_PLACEHOLDER not in html
    bulk = html[html.index('id="bulk-formations"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', bulk).group(1)
    response = client.post(
        reverse(
            "roadmap:item_bulk", kwargs={"roadmap_pk": roadmap.pk, "kind": "formations"}
        ),
        {
            "csrfmiddlewaretoken": token,
            "items": [item.pk],
            "status": "in_progress",
            "progress": "50",
        },
    )
    assert response.status_code in (200, 302)
    item.refresh_from_db()
    assert item.progress == 50


@pytest.mark.django_db
def test_review_panel_follows_roles_and_transitions_from_the_cache(
    client, lead, member, department_reviewer, roadmap
):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    url = stage.get_absolute_url()
    submit = "Soumettre à la préfecture"
    validate = "Valider l'étape"
    client.force_login(lead)
    assert submit in _page(client, url)
    client.force_login(member)
    assert submit not in _page(client, url)
    workflow.transition_stage(
        stage=stage, user=lead, action="submit", version=stage.version
    )
    # The member (no role in the review) first: the reviewer must not get
    # their panel from the cache.
    client.force_login(member)
    assert validate not in _page(client, url)
    client.force_login(department_reviewer)
    assert validate in _page(client, url)
    client.force_login(lead)
    html = _page(client, url)
    assert validate not in html
    assert submit not in html


# --- Comments section and stages from the cache --------------------------------


@pytest.mark.django_db
def test_posted_comment_shows_at_once_on_the_cached_stage_page(client, member, roadmap):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    client.force_login(member)
    url = stage.get_absolute_url()
    first = _page(client, url)
    assert "Relancer le lycée" not in _section(first, "comments")
    response = client.post(
        reverse(
            "roadmap:stage_comments",
            kwargs={"roadmap_pk": roadmap.pk, "number": stage.number},
        ),
        {"body": "Relancer le lycée"},
    )
    assert response.status_code == 302
    assert "Relancer le lycée" in _section(client.get(url).text, "comments")


@pytest.mark.django_db
def test_a_refused_comment_stays_out_of_the_cached_comments(client, member, roadmap):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    client.force_login(member)
    comments_url = reverse(
        "roadmap:stage_comments",
        kwargs={"roadmap_pk": roadmap.pk, "number": stage.number},
    )
    refused = client.post(comments_url, {"body": "   "})
    assert refused.status_code == 422
    assert "fr-error-text" in _section(refused.text, "comments")
    # The next page is rendered with an empty form, not the refused one.
    assert "fr-error-text" not in _section(
        _page(client, stage.get_absolute_url()), "comments"
    )


@pytest.mark.django_db
def test_stage_page_follows_a_role_change_at_the_next_request(client, member, roadmap):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    client.force_login(member)
    url = stage.get_absolute_url()
    submit = "Soumettre à la préfecture"
    assert submit not in _page(client, url)
    member.memberships.update(role=Role.LEAD)
    assert submit in client.get(url).text


@pytest.mark.django_db
def test_stage_page_summary_follows_an_edit_after_being_cached(client, member, roadmap):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    client.force_login(member)
    url = stage.get_absolute_url()
    _page(client, url)
    services.update_stage_summary(
        stage=stage, summary="Pénurie de soudeurs.", version=stage.version, user=member
    )
    html = client.get(url).text
    assert "Pénurie de soudeurs." in _section(html, "summary")
    # The form carries the new version: saving it again is no conflict.
    assert f'name="version" value="{stage.version + 1}"' in html


@pytest.mark.django_db
def test_stage_page_from_the_cache_takes_five_queries(
    client, member, roadmap, django_assert_max_num_queries
):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    TrainingActionFactory(stage=stage)
    services.add_comment(
        stage=stage, user=member, body="Vu.", author_role=AuthorRole.COMMITTEE
    )
    client.force_login(member)
    url = stage.get_absolute_url()
    client.get(url)
    # Session, user, the user's memberships (header and roles), the roadmap,
    # its stamp: the stages, lists, comments and review panel are cached.
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_stage_page_of_an_unknown_number_is_a_404_from_the_cache_too(
    client, member, roadmap
):
    client.force_login(member)
    client.get(roadmap.stages.get(number=StageKind.SKILLS).get_absolute_url())
    url = reverse("roadmap:stage", kwargs={"roadmap_pk": roadmap.pk, "number": 9})
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_committee_member_who_also_reviews_gets_both_roles(
    client, member, territory, roadmap
):
    MembershipFactory(
        user=member, role=Role.REVIEWER, basin=None, department=territory["isere"]
    )
    client.force_login(member)
    url = roadmap.stages.get(number=StageKind.SKILLS).get_absolute_url()
    access = client.get(url).context["access"]
    assert (access.can_edit, access.can_review, access.can_submit) == (
        True,
        True,
        False,
    )


@pytest.mark.django_db
def test_a_committee_member_of_another_basin_gets_a_404(client, territory, roadmap):
    other = MembershipFactory(role=Role.LEAD, basin=territory["oyonnax"]).user
    client.force_login(other)
    url = roadmap.stages.get(number=StageKind.SKILLS).get_absolute_url()
    assert client.get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("reviewer_first", [True, False])
def test_summary_form_is_never_served_to_a_reader_from_the_cache(
    client, member, department_reviewer, roadmap, reviewer_first
):
    url = roadmap.stages.get(number=StageKind.SKILLS).get_absolute_url()
    users = [department_reviewer, member]
    pages = {}
    for user in users if reviewer_first else users[::-1]:
        client.force_login(user)
        pages[user] = _section(_page(client, url), "summary")
    assert 'id="summary-form"' in pages[member]
    assert 'id="summary-form"' not in pages[department_reviewer]


@pytest.mark.django_db
def test_a_summary_conflict_stays_out_of_the_cached_summary(
    client, member, lead, roadmap
):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    services.update_stage_summary(
        stage=stage, summary="Texte du pilote", version=stage.version, user=lead
    )
    client.force_login(member)
    summary_url = reverse(
        "roadmap:stage_summary",
        kwargs={"roadmap_pk": roadmap.pk, "number": stage.number},
    )
    stale = client.post(
        summary_url, {"summary": "Texte du membre", "version": stage.version}
    )
    assert stale.status_code == 409
    assert "conflict-alert" in _section(stale.text, "summary")
    summary = _section(_page(client, stage.get_absolute_url()), "summary")
    assert "conflict-alert" not in summary
    assert "Texte du pilote" in summary


@pytest.mark.django_db
def test_progress_bar_follows_every_htmx_save(client, member, roadmap):
    stage = roadmap.stages.get(number=StageKind.SKILLS)
    client.force_login(member)
    page = client.get(stage.get_absolute_url()).text
    progress_url = reverse(
        "roadmap:stage_progress",
        kwargs={"roadmap_pk": roadmap.pk, "number": stage.number},
    )
    bar = page[
        page.index('id="stage-progress"') : page.index(
            "</p>", page.index('id="stage-progress"')
        )
    ]
    # The bar asks for itself again after every write of the page.
    assert f'hx-get="{progress_url}"' in bar
    assert 'hx-trigger="roadmap-changed from:body"' in bar
    assert "Avancement de l'étape : 0 %" in bar
    htmx = {"HTTP_HX_REQUEST": "true"}
    saved = client.post(
        reverse(
            "roadmap:item_create",
            kwargs={"roadmap_pk": roadmap.pk, "kind": "formations"},
        ),
        {
            "title": "Soudeurs hydrogène",
            "provider_kind": "cfa",
            "places": "12",
            "status": "in_progress",
            "progress": "40",
        },
        **htmx,
    )
    assert saved.status_code == 200
    assert "roadmap-changed" in saved.headers["HX-Trigger"]
    refreshed = client.get(progress_url, **htmx).text
    assert "<html" not in refreshed
    assert "Avancement de l'étape : 40 %" in refreshed
    assert 'value="40"' in refreshed
    # The page itself, from the cache, shows the new progress too.
    assert "Avancement de l'étape : 40 %" in client.get(stage.get_absolute_url()).text
