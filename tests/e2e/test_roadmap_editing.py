"""Editing a roadmap in Chromium: the six stages' HTMX forms, a concurrent edit,
the review round trip, axe-core on every editing page, and the forms without
JavaScript."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from diagnostics.models import NafDivision, NafSection
from roadmap import models
from roadmap.enums import (
    ActionStatus,
    ActorKind,
    AuditAction,
    FundingKind,
    ProjectKind,
    StageStatus,
)
from roadmap.models.registry import ITEM_TYPES
from tests.e2e.helpers import (
    BLOCKING_IMPACTS,
    axe_check,
    axe_violations,
    format_violations,
    login,
)
from tests.roadmap.factories import (
    LocalActorFactory,
    RoadmapFactory,
    SkillFactory,
    StageCommentFactory,
    make_item,
)

pytestmark = pytest.mark.slow

# Set on the page before an HTMX action: still there after it means that the
# page was not reloaded.
MARKER = "htmx-no-reload"


@pytest.fixture
def roadmap(territory):
    return RoadmapFactory(
        basin=territory["grenoble"], period_start=2026, title="Grenoble 2026-2031"
    )


@pytest.fixture
def naf_divisions(transactional_db):
    """Two NAF divisions (the data migration's rows are flushed between tests)."""
    section, _ = NafSection.objects.get_or_create(
        code="C", defaults={"label": "Industrie manufacturière"}
    )
    labels = {
        "25": "Fabrication de produits métalliques, à l'exception des machines "
        "et des équipements",
        "28": "Fabrication de machines et équipements n.c.a.",
    }
    return {
        code: NafDivision.objects.get_or_create(
            code=code, defaults={"label": label, "section": section}
        )[0]
        for code, label in labels.items()
    }


@pytest.fixture
def open_page(browser, live_server, console_errors):
    """Open more browser contexts (another user, no JavaScript...).

    Each one reports its console errors like the ``page`` fixture does.
    """
    contexts = []

    def open_page(**options):
        context = browser.new_context(
            base_url=live_server.url,
            locale="fr-FR",
            viewport={"width": 1280, "height": 900},
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        new_page = context.new_page()
        new_page.on(
            "console",
            lambda message: (
                console_errors.append(f"console: {message.text} ({message.location})")
                if message.type == "error"
                else None
            ),
        )
        new_page.on(
            "pageerror", lambda error: console_errors.append(f"exception: {error}")
        )
        return new_page

    yield open_page
    for context in contexts:
        context.close()
    assert not console_errors, "Browser console errors:\n" + "\n".join(console_errors)


def stage_url(roadmap, number):
    return reverse("roadmap:stage", kwargs={"roadmap_pk": roadmap.pk, "number": number})


def remove_expected(console_errors, status):
    """Chromium logs a 409 or 422 answer as a failed resource: expected here."""
    expected = [error for error in console_errors if f"status of {status}" in error]
    assert expected, f"no {status} answer was logged"
    for error in expected:
        console_errors.remove(error)


def mark_page(page):
    page.locator("body").evaluate(f"body => body.classList.add('{MARKER}')")


def assert_not_reloaded(page, url):
    expect(page.locator(f"body.{MARKER}")).to_have_count(1)
    assert page.url.endswith(url)


def open_form(page, slug):
    """Open the add form of section ``slug`` in place; return the form."""
    page.locator(f"#add-{slug}").click()
    form = page.locator(f"#item-form-{slug}")
    expect(form).to_be_visible()
    return form


def tick(form, label):
    """Tick a DSFR checkbox the way a user does: its label covers the box."""
    box = form.get_by_label(label, exact=True)
    if not box.is_checked():
        form.locator(f"label[for='{box.get_attribute('id')}']").click()
    expect(box).to_be_checked()


def save(form, slug, expected_row):
    """Save ``form``; the section swapped in lists the new row."""
    form.locator(f"#item-save-{slug}").click()
    expect(form).to_have_count(0)
    row = form.page.locator(f"#table-{slug} tbody tr", has_text=expected_row)
    expect(row).to_have_count(1)
    return row


def test_committee_member_fills_in_the_six_stages_in_place(
    page, console_errors, member, roadmap, naf_divisions
):
    login(page, member.username)

    # Stage 1: a skill and a local actor.
    url = stage_url(roadmap, 1)
    page.goto(url)
    expect(page.locator("#empty-competences")).to_be_visible()
    mark_page(page)
    form = open_form(page, "competences")
    form.get_by_label("Métier").fill("Soudeur TIG")
    form.get_by_label("Catégorie").select_option(label="ouvrier qualifié")
    form.get_by_label("Personnes disponibles").fill("8")
    form.get_by_label("Niveau de tension").select_option(label="critique")
    row = save(form, "competences", "Soudeur TIG")
    expect(row).to_contain_text("critique")
    expect(page.locator("#count-competences")).to_contain_text("1")

    form = open_form(page, "acteurs")
    form.get_by_label("Type d'acteur").select_option(label="entreprise")
    form.get_by_label("Nom").fill("Forges de l'Isère")
    form.get_by_label("Rôle dans le bassin").fill("Donneur d'ordre")
    tick(form, "PME")
    form.get_by_label("SIRET").fill("12345678900011")
    save(form, "acteurs", "Forges de l'Isère")
    assert_not_reloaded(page, url)

    # Stage 2: an axis aimed at a NAF division.
    url = stage_url(roadmap, 2)
    page.goto(url)
    mark_page(page)
    form = open_form(page, "axes")
    form.get_by_label("Type d'axe").select_option(label="montée en gamme")
    form.get_by_label("Intitulé").fill("Usinage de précision")
    form.get_by_label("Justification").fill("Savoir-faire historique du bassin.")
    form.get_by_label("Priorité").select_option(label="1 — prioritaire")
    form.get_by_label("Divisions NAF visées").select_option("25")
    row = save(form, "axes", "Usinage de précision")
    expect(row).to_contain_text("25")
    assert_not_reloaded(page, url)

    # Stage 3: a training action on that axis; an out-of-range progress first.
    url = stage_url(roadmap, 3)
    page.goto(url)
    mark_page(page)
    form = open_form(page, "formations")
    form.get_by_label("Intitulé").fill("CAP soudure en alternance")
    form.get_by_label("Type d'organisme").select_option(label="CFA")
    form.get_by_label("Places").fill("12")
    form.get_by_label("Axe stratégique").select_option(label="Usinage de précision")
    form.get_by_label("Porteur").select_option(label="Forges de l'Isère")
    form.get_by_label("Début").fill("2026-09-01")
    form.get_by_label("Statut").select_option(label="en cours")
    form.get_by_label("Avancement (%)").fill("150")
    with page.expect_response(re.compile(r"/formations/ajouter/$")) as answer:
        form.locator("#item-save-formations").click()
    assert answer.value.status == 422
    error = form.locator("#id_progress_error")
    expect(error).to_have_text(
        "Assurez-vous que cette valeur est inférieure ou égale à 100."
    )
    # The error is tied to the field for screen readers; the input is kept.
    progress = form.get_by_label("Avancement (%)")
    expect(progress).to_have_value("150")
    expect(progress).to_have_attribute("aria-invalid", "true")
    expect(progress).to_have_accessible_description(
        "Assurez-vous que cette valeur est inférieure ou égale à 100."
    )
    expect(form.get_by_label("Intitulé")).to_have_value("CAP soudure en alternance")
    remove_expected(console_errors, 422)
    axe_check(page, context="#item-form-formations")
    assert not models.TrainingAction.objects.exists()
    expect(page.locator("#stage-progress")).to_contain_text("0 %")
    progress.fill("40")
    row = save(form, "formations", "CAP soudure en alternance")
    expect(row).to_contain_text("Usinage de précision")
    expect(row).to_contain_text("Forges de l'Isère")
    # The stage's progress bar follows the save, without a reload.
    expect(page.locator("#stage-progress")).to_contain_text("40 %")
    expect(page.locator("#stage-progress-bar")).to_have_attribute("value", "40")
    assert_not_reloaded(page, url)

    # Stage 4: an investment project, then a funding line for it.
    url = stage_url(roadmap, 4)
    page.goto(url)
    mark_page(page)
    form = open_form(page, "projets")
    form.get_by_label("Intitulé").fill("Réhabilitation de la friche Bouchayer")
    form.get_by_label("Type de projet").select_option(label="réhabilitation de friche")
    form.get_by_label("Montant (€)").fill("1200000")
    form.get_by_label("Axe stratégique").select_option(label="Usinage de précision")
    save(form, "projets", "Réhabilitation de la friche Bouchayer")

    form = open_form(page, "financements")
    form.get_by_label("Type d'aide").select_option(label="subvention conditionnée")
    form.get_by_label(re.compile(r"^Bénéficiaire\b(?! (local|PME))")).fill(
        "Forges de l'Isère"
    )
    form.get_by_label("Projet financé").select_option(
        label="Réhabilitation de la friche Bouchayer"
    )
    expect(form.get_by_label("Bénéficiaire local")).to_be_checked()  # default
    tick(form, "Bénéficiaire PME")
    form.get_by_label("Montant demandé (€)").fill("300000")
    form.get_by_label("Montant obtenu (€)").fill("250000")
    form.get_by_label("Montant versé (€)").fill("0")
    form.get_by_label("Embauches locales promises").fill("15")
    form.get_by_label("Achats locaux promis (%)").fill("30")
    form.get_by_label("Conditions").fill("Embauches locales sous 24 mois.")
    row = save(form, "financements", "Forges de l'Isère")
    expect(row).to_contain_text("Réhabilitation de la friche Bouchayer")
    assert_not_reloaded(page, url)

    # Stage 5: a partnership.
    url = stage_url(roadmap, 5)
    page.goto(url)
    mark_page(page)
    form = open_form(page, "partenariats")
    form.get_by_label("Donneur d'ordre").fill("Soitec")
    form.get_by_label("PME partenaires").fill("Forges de l'Isère (12345678900011)")
    form.get_by_label("Statut du partenariat").select_option(label="signé")
    form.get_by_label("Porteur").select_option(label="Forges de l'Isère")
    row = save(form, "partenariats", "Soitec")
    expect(row).to_contain_text("signé")
    assert_not_reloaded(page, url)

    # Stage 6: a measurement of a seed indicator.
    url = stage_url(roadmap, 6)
    page.goto(url)
    mark_page(page)
    form = open_form(page, "mesures")
    form.get_by_label("Indicateur").select_option(label="Emplois créés")
    form.get_by_label("Date de la mesure").fill("2026-06-30")
    form.get_by_label("Valeur").fill("42")
    form.get_by_label("Source").fill("URSSAF")
    row = save(form, "mesures", "Emplois créés")
    expect(row).to_contain_text("42")
    assert_not_reloaded(page, url)
    assert not console_errors

    # Everything is in the database, in its stage, and recorded in the history.
    skill = models.Skill.objects.get()
    assert (skill.job_title, skill.people_available) == ("Soudeur TIG", 8)
    assert skill.stage.roadmap == roadmap
    assert skill.stage.number == 1
    actor = models.LocalActor.objects.get()
    assert actor.name == "Forges de l'Isère"
    assert actor.kind == ActorKind.FIRM
    assert actor.is_sme
    assert actor.is_local
    assert actor.siret == "12345678900011"
    axis = models.Axis.objects.get()
    assert axis.stage.number == 2
    assert list(axis.naf_divisions.all()) == [naf_divisions["25"]]
    training = models.TrainingAction.objects.get()
    assert training.stage.number == 3
    assert (training.axis, training.owner) == (axis, actor)
    assert training.progress == 40
    assert training.status == ActionStatus.IN_PROGRESS
    assert training.start_date == datetime.date(2026, 9, 1)
    project = models.InvestmentProject.objects.get()
    assert project.stage.number == 4
    assert project.kind == ProjectKind.FRICHE
    assert project.amount == Decimal("1200000")
    assert project.axis == axis
    funding = models.FundingLine.objects.get()
    assert funding.project == project
    assert funding.kind == FundingKind.CONDITIONAL_GRANT
    assert funding.beneficiary_is_local
    assert funding.beneficiary_is_sme
    assert funding.amount_obtained == Decimal("250000")
    assert funding.local_purchasing_promised_pct == Decimal("30")
    partnership = models.Partnership.objects.get()
    assert partnership.stage.number == 5
    assert partnership.contractor == "Soitec"
    assert partnership.owner == actor
    measurement = models.Measurement.objects.get()
    assert measurement.indicator.name == "Emplois créés"
    assert measurement.indicator.stage.roadmap == roadmap
    assert measurement.value == Decimal("42")
    assert measurement.measured_on == datetime.date(2026, 6, 30)
    created = set(
        models.AuditEvent.objects.filter(
            roadmap=roadmap, user=member, action=AuditAction.CREATE
        ).values_list("model_label", flat=True)
    )
    assert created == {
        "roadmap.skill",
        "roadmap.localactor",
        "roadmap.axis",
        "roadmap.trainingaction",
        "roadmap.investmentproject",
        "roadmap.fundingline",
        "roadmap.partnership",
        "roadmap.measurement",
    }


def test_second_editor_gets_a_conflict_and_nothing_is_overwritten(
    page, open_page, console_errors, member, lead, roadmap
):
    skill = SkillFactory(roadmap=roadmap, job_title="Soudeur TIG", people_available=8)
    other = open_page()
    url = stage_url(roadmap, 1)
    for browser_page, user in ((page, member), (other, lead)):
        login(browser_page, user.username)
        browser_page.goto(url)
        browser_page.locator(f"#edit-competences-{skill.pk}").click()
        expect(browser_page.get_by_label("Personnes disponibles")).to_have_value("8")

    page.get_by_label("Personnes disponibles").fill("20")
    save(page.locator("#item-form-competences"), "competences", "Soudeur TIG")
    expect(page.locator(f"#item-competences-{skill.pk}")).to_contain_text("20")

    form = other.locator("#item-form-competences")
    form.get_by_label("Personnes disponibles").fill("30")
    form.get_by_label("Métier").fill("Soudeur TIG et MIG")
    with other.expect_response(re.compile(r"/modifier/$")) as answer:
        form.locator("#item-save-competences").click()
    assert answer.value.status == 409
    alert = form.get_by_role("alert")
    expect(alert).to_contain_text(
        "Modification concurrente : vos changements n'ont pas été enregistrés"
    )
    expect(alert).to_contain_text(member.get_full_name())
    change = alert.locator("tbody tr", has_text="Personnes disponibles")
    expect(change.locator("td")).to_have_text(["8", "20", "30"])
    # Their value in the field they changed; my other edit kept, unsaved.
    expect(form.get_by_label("Personnes disponibles")).to_have_value("20")
    expect(form.get_by_label("Métier")).to_have_value("Soudeur TIG et MIG")
    remove_expected(console_errors, 409)
    axe_check(other, context="#item-form-competences")

    skill.refresh_from_db()
    assert skill.people_available == 20
    assert skill.job_title == "Soudeur TIG"
    assert skill.version == 2

    # Saving again, knowingly, goes through on top of the first person's change.
    save(form, "competences", "Soudeur TIG et MIG")
    skill.refresh_from_db()
    assert (skill.job_title, skill.people_available, skill.version) == (
        "Soudeur TIG et MIG",
        20,
        3,
    )


def test_stage_returned_with_a_comment_then_resubmitted_and_validated(
    page, open_page, lead, department_reviewer, roadmap
):
    stage = roadmap.stages.get(number=1)
    LocalActorFactory(roadmap=roadmap, name="Forges de l'Isère")
    url = stage_url(roadmap, 1)
    status = page.locator("#stage-status")
    login(page, lead.username)
    page.goto(url)
    expect(status).to_contain_text("brouillon")
    page.get_by_role("button", name="Soumettre à la préfecture").click()
    expect(status).to_contain_text("soumise à la préfecture")
    # Submitted: the committee may no longer edit the stage.
    expect(page.locator("#stage-locked")).to_be_visible()
    expect(page.locator("#add-competences")).to_have_count(0)

    reviewer = open_page()
    review_status = reviewer.locator("#stage-status")
    login(reviewer, department_reviewer.username)
    reviewer.goto(url)
    expect(review_status).to_contain_text("soumise à la préfecture")
    reviewer.get_by_label("Commentaire pour le comité de bassin").fill(
        "Précisez les besoins en compétences des sous-traitants."
    )
    reviewer.get_by_role("button", name="Renvoyer au comité").click()
    expect(review_status).to_contain_text("renvoyée")

    page.reload()
    expect(status).to_contain_text("renvoyée")
    expect(page.locator(f"#stage-review-{stage.pk}")).to_contain_text(
        "Précisez les besoins en compétences des sous-traitants."
    )
    # Returned: editable again, and the lead submits it anew.
    expect(page.locator("#stage-locked")).to_have_count(0)
    expect(page.locator("#add-competences")).to_be_visible()
    page.get_by_role("button", name="Soumettre à la préfecture").click()
    expect(status).to_contain_text("soumise à la préfecture")

    reviewer.reload()
    expect(review_status).to_contain_text("soumise à la préfecture")
    reviewer.get_by_role("button", name="Valider l'étape").click()
    expect(review_status).to_contain_text("validée")
    expect(reviewer.get_by_role("button", name="Valider l'étape")).to_have_count(0)

    page.reload()
    expect(status).to_contain_text("validée")
    expect(page.locator("#stage-locked")).to_contain_text("validée")

    stage.refresh_from_db()
    assert stage.status == StageStatus.VALIDATED
    assert list(
        stage.transitions.order_by("pk").values_list(
            "to_status", "user__username", "comment"
        )
    ) == [
        (StageStatus.SUBMITTED, lead.username, ""),
        (
            StageStatus.RETURNED,
            department_reviewer.username,
            "Précisez les besoins en compétences des sous-traitants.",
        ),
        (StageStatus.SUBMITTED, lead.username, ""),
        (StageStatus.VALIDATED, department_reviewer.username, ""),
    ]


def test_editing_pages_pass_axe_without_console_error(
    page, member, roadmap, naf_divisions
):
    for item_type in ITEM_TYPES:
        item = make_item(item_type.slug, roadmap)
        if item_type.slug == "axes":
            item.naf_divisions.add(naf_divisions["25"])
    StageCommentFactory(stage=roadmap.stages.get(number=1), author=member)
    login(page, member.username)
    pages = {f"étape {number}": stage_url(roadmap, number) for number in range(1, 7)}
    pages["registre des risques"] = roadmap.get_risks_url()
    pages["feuilles de route du bassin"] = reverse(
        "roadmap:basin_roadmaps", kwargs={"code": roadmap.basin.code}
    )
    blocking = []
    for name, url in pages.items():
        page.goto(url)
        if "bassin" in name:
            expect(page.locator(f"#roadmap-{roadmap.pk}")).to_be_visible()
        else:
            # Every list of the page has its item (the page is complete).
            tables = page.locator(".item-section table")
            expect(tables.first).to_be_visible()
            expect(page.locator(".item-section p[id^='empty-']")).to_have_count(0)
        violations = axe_violations(page)
        print(f"axe-core on {name}:\n{format_violations(violations) or 'aucune'}")
        violations = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        if violations:
            blocking.append(f"{name} ({url}):\n{format_violations(violations)}")
    assert not blocking, "axe-core: serious or critical violations\n" + "\n".join(
        blocking
    )
    # The console_errors check at teardown catches any CSP violation.


def test_forms_work_without_javascript(open_page, member, roadmap):
    page = open_page(java_script_enabled=False)
    login(page, member.username)
    url = stage_url(roadmap, 1)
    page.goto(url)
    page.locator("#add-besoins").click()
    expect(page).to_have_url(re.compile(r"/elements/besoins/ajouter/$"))
    form = page.locator("#item-form-besoins")
    form.get_by_role("textbox", name="Besoin", exact=True).fill(
        "Logements pour les alternants"
    )
    form.get_by_label("Description").fill("Foyer de jeunes travailleurs saturé.")
    form.get_by_label("Priorité").select_option(label="1 — prioritaire")
    form.locator("#item-save-besoins").click()
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))
    expect(page.locator("#table-besoins")).to_contain_text(
        "Logements pour les alternants"
    )
    expect(
        page.get_by_text("« Logements pour les alternants » a été ajouté.")
    ).to_be_visible()
    need = models.Need.objects.get()
    assert need.stage == roadmap.stages.get(number=1)
    assert need.description == "Foyer de jeunes travailleurs saturé."
