"""Shared fixtures: two regions, three basins, one user per role."""

import pytest
from django.conf import settings

from basins.enums import Role
from tests.basins.factories import (
    BasinFactory,
    DepartmentFactory,
    MembershipFactory,
    RegionFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _strict_templates(settings):
    # Unknown template variables fail the tests.
    for engine in settings.TEMPLATES:
        engine["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")
    settings.AXES_ENABLED = False
    settings.SECURE_SSL_REDIRECT = False
    # Argon2 is deliberately slow; tests need no strong hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


class InvalidTemplateVariable(str):
    def __mod__(self, other):
        raise AssertionError(f"Variable de gabarit inconnue : {other!r}")


@pytest.fixture
def territory(db):
    """Two regions; Isère (38) and Ain (01) in 84, Indre (36) in 24.

    Basins: Grenoble (38), Oyonnax (01), Châteauroux (36), and a basin spanning
    Ain and Isère to check that a reviewer sees every basin touching them.
    """
    ara = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    cvl = RegionFactory(code="24", name="Centre-Val de Loire")
    isere = DepartmentFactory(code="38", name="Isère", region=ara)
    ain = DepartmentFactory(code="01", name="Ain", region=ara)
    indre = DepartmentFactory(code="36", name="Indre", region=cvl)
    return {
        "ara": ara,
        "cvl": cvl,
        "isere": isere,
        "ain": ain,
        "indre": indre,
        "grenoble": BasinFactory(code="8409", name="Grenoble", departments=[isere]),
        "oyonnax": BasinFactory(code="8425", name="Oyonnax", departments=[ain]),
        "chateauroux": BasinFactory(
            code="2405", name="Châteauroux", departments=[indre]
        ),
        "cross": BasinFactory(
            code="8499", name="Bassin mixte", departments=[ain, isere]
        ),
    }


@pytest.fixture
def member(territory):
    return MembershipFactory(role=Role.MEMBER, basin=territory["grenoble"]).user


@pytest.fixture
def lead(territory):
    return MembershipFactory(role=Role.LEAD, basin=territory["grenoble"]).user


@pytest.fixture
def department_reviewer(territory):
    return MembershipFactory(
        role=Role.REVIEWER, basin=None, department=territory["isere"]
    ).user


@pytest.fixture
def region_reviewer(territory):
    return MembershipFactory(
        role=Role.REVIEWER, basin=None, region=territory["ara"]
    ).user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):
    """Logged in, but attached to no territory."""
    return UserFactory(username="outsider")


@pytest.fixture
def data_dir():
    path = settings.DATA_DIR
    if not path.exists():
        pytest.fail(f"Official data files not found in {path}")
    return path
