"""Login, logout, password change (in French) and login throttling."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from tests.basins.factories import UserFactory

LOGIN = reverse("login")
HOME = reverse("basins:home")
PASSWORD = "mot-de-passe-de-test"


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={HOME}"


@pytest.mark.django_db
def test_login_page_is_in_french(client):
    html = client.get(LOGIN).text
    assert '<html lang="fr"' in html
    assert "<h1>Connexion</h1>" in html
    assert ">Identifiant <span" in html
    assert ">Mot de passe <span" in html
    assert 'autocomplete="current-password"' in html
    assert "Se connecter</button>" in html


@pytest.mark.django_db
def test_login_with_good_credentials_opens_the_home_page(client, alice):
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert int(logged_in_user_id(client)) == alice.pk


@pytest.mark.django_db
def test_login_follows_a_safe_next_url_only(client, alice, territory):
    basin_url = territory["grenoble"].get_absolute_url()
    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD, "next": basin_url}
    )
    assert response["Location"] == basin_url
    client.logout()
    response = client.post(
        LOGIN,
        {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == HOME


@pytest.mark.django_db
def test_wrong_password_is_refused_in_french(client, alice):
    response = client.post(LOGIN, {"username": "alice", "password": "faux"})
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.text
    assert 'role="alert"' in response.text
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_empty_fields_are_reported_per_field(client):
    response = client.post(LOGIN, {"username": "", "password": ""})
    html = response.text
    assert html.count("Ce champ est obligatoire.") == 2
    assert 'aria-describedby="id_username_error"' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.django_db
def test_inactive_user_cannot_log_in(client):
    UserFactory(username="parti", is_active=False)
    client.post(LOGIN, {"username": "parti", "password": PASSWORD})
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_logged_in_user_skips_the_login_page(client, alice):
    client.force_login(alice)
    assert client.get(LOGIN)["Location"] == HOME


@pytest.mark.django_db
def test_logout_by_post_returns_to_the_login_page(client, alice):
    client.force_login(alice)
    response = client.post(reverse("logout"))
    assert response["Location"] == LOGIN
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_logout_refuses_get(client, alice):
    client.force_login(alice)
    assert client.get(reverse("logout")).status_code == 405
    assert logged_in_user_id(client) is not None


@pytest.mark.django_db
def test_password_change_page_is_in_french(client, alice):
    client.force_login(alice)
    html = client.get(reverse("password_change")).text
    assert "<h1>Changer de mot de passe</h1>" in html
    assert "Ancien mot de passe" in html
    assert "Nouveau mot de passe" in html
    assert "Confirmation du nouveau mot de passe" in html


@pytest.mark.django_db
def test_password_change_refuses_a_wrong_old_password(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "faux",
            "new_password1": "Un-nouveau-mot-2026",
            "new_password2": "Un-nouveau-mot-2026",
        },
    )
    assert response.status_code == 200
    assert "Votre ancien mot de passe est incorrect" in response.text
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


@pytest.mark.django_db
def test_password_change_refuses_a_weak_password_in_french(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert "Ce mot de passe est trop court." in response.text
    assert "Ce mot de passe est entièrement numérique." in response.text


@pytest.mark.django_db
def test_password_change_keeps_the_user_logged_in(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Un-nouveau-mot-2026",
            "new_password2": "Un-nouveau-mot-2026",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    assert (
        "Votre mot de passe a bien été modifié."
        in client.get(response["Location"]).text
    )
    alice.refresh_from_db()
    assert alice.check_password("Un-nouveau-mot-2026")


# --- Throttling (django-axes): keyed on username and IP, with a cool-off -------


@pytest.fixture
def axes(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    AccessAttempt.objects.all().delete()


def attempt(client, username, password, ip):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail_five_times(client, username, ip):
    statuses = [attempt(client, username, "faux", ip).status_code for _ in range(5)]
    # The fifth failure locks: its answer already is the lock-out page.
    assert statuses == [200, 200, 200, 200, 429]


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.mark.django_db
def test_five_failures_lock_the_user_on_that_address(client, axes, alice):
    fail_five_times(client, "alice", "10.0.0.1")
    response = attempt(client, "alice", PASSWORD, "10.0.0.1")
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.text
    assert "Réessayez dans 15 minutes" in response.text
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_lock_does_not_block_colleagues_behind_the_same_address(
    client, axes, alice, bob
):
    fail_five_times(client, "alice", "10.0.0.1")
    response = attempt(client, "bob", PASSWORD, "10.0.0.1")
    assert response.status_code == 302
    assert int(logged_in_user_id(client)) == bob.pk


@pytest.mark.django_db
def test_lock_does_not_block_the_user_from_another_address(client, axes, alice):
    fail_five_times(client, "alice", "10.0.0.1")
    response = attempt(client, "alice", PASSWORD, "192.0.2.7")
    assert response.status_code == 302
    assert int(logged_in_user_id(client)) == alice.pk
    # Success elsewhere does not lift the lock on the first address.
    client.logout()
    assert attempt(client, "alice", PASSWORD, "10.0.0.1").status_code == 429


@pytest.mark.django_db
def test_four_failures_do_not_lock(client, axes, alice):
    for _ in range(4):
        attempt(client, "alice", "faux", "10.0.0.1")
    assert attempt(client, "alice", PASSWORD, "10.0.0.1").status_code == 302


@pytest.mark.django_db
def test_lock_expires_after_the_cool_off(client, axes, alice, settings):
    fail_five_times(client, "alice", "10.0.0.1")
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert attempt(client, "alice", PASSWORD, "10.0.0.1").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = attempt(client, "alice", PASSWORD, "10.0.0.1")
    assert response.status_code == 302
    assert int(logged_in_user_id(client)) == alice.pk
