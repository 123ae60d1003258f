"""Walks every URL pattern for every role x territory x method."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from basins.enums import Role
from tests import access
from tests.basins.factories import MembershipFactory, UserFactory

# Patterns with their own access rules, tested elsewhere.
EXCLUDED_NAMESPACES = {"admin"}
# Public on purpose: login must be reachable; logout only acts on POST; the
# health check (/sante/) answers load balancers.
PUBLIC = {"login", "logout", "health"}


def all_cases():
    cases = []
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            found = importlib.import_module(f"tests.{module.name}.access_cases")
        except ModuleNotFoundError as error:
            if error.name != f"tests.{module.name}.access_cases":
                raise
            continue
        cases.extend(found.CASES)
    return cases


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                raise AssertionError(f"URL pattern without a name: {pattern}")
            yield f"{namespace}{pattern.name}"


CASES = all_cases()


def test_every_url_pattern_is_in_the_matrix():
    declared = {case.url_name for case in CASES} | PUBLIC
    missing = sorted(set(url_names()) - declared)
    assert not missing, f"URL patterns missing from the access matrix: {missing}"


def test_matrix_declares_no_unknown_url():
    unknown = sorted({case.url_name for case in CASES} - set(url_names()))
    assert not unknown, f"Access cases for URLs that do not exist: {unknown}"


@pytest.fixture
def users(territory):
    return {
        access.OUTSIDER: UserFactory(username="outsider"),
        access.MEMBER: MembershipFactory(
            role=Role.MEMBER, basin=territory["grenoble"]
        ).user,
        access.LEAD: MembershipFactory(
            role=Role.LEAD, basin=territory["grenoble"]
        ).user,
        access.DEPARTMENT_REVIEWER: MembershipFactory(
            role=Role.REVIEWER, basin=None, department=territory["isere"]
        ).user,
        access.REGION_REVIEWER: MembershipFactory(
            role=Role.REVIEWER, basin=None, region=territory["ara"]
        ).user,
        access.ADMIN: UserFactory(username="admin", is_staff=True, is_superuser=True),
    }


def expected(case, role, method, own_territory):
    """'login', 'ok', 403, 404 or 405."""
    if role == access.ANONYMOUS:
        return "login"
    if method not in case.allowed:
        return 405
    if case.territorial and not own_territory and role != access.ADMIN:
        return 404
    if role in case.allowed[method]:
        return "ok"
    if not case.territorial or role in case.visible:
        return 403
    return 404


def check(response, expectation, label):
    status = response.status_code
    if expectation == "login":
        assert status == 302, label
        assert response["Location"].startswith(reverse("login")), label
    elif expectation == "ok":
        assert status not in (403, 404, 405), label
        assert status < 500, label
    elif expectation == 405:
        assert status in (403, 404, 405), label
    elif expectation == 403:
        assert status == 403, label
    else:
        assert status == expectation, label


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.url_name)
def test_access(client, territory, users, case):
    territories = (
        [(True, territory["grenoble"]), (False, territory["chateauroux"])]
        if case.territorial
        else [(True, None)]
    )
    for role in access.ROLES:
        for own, basin in territories:
            for method in access.METHODS:
                client.logout()
                if role != access.ANONYMOUS:
                    client.force_login(users[role])
                kwargs = case.make_kwargs(basin) if case.make_kwargs else {}
                url = reverse(case.url_name, kwargs=kwargs)
                if method == "GET":
                    response = client.get(url + case.query)
                else:
                    data = case.post_data(basin, kwargs) if case.post_data else {}
                    response = client.post(url, data)
                expectation = expected(case, role, method, own)
                label = (
                    f"{case.url_name} {method} as {role} on "
                    f"{'own' if own else 'other'} basin: got "
                    f"{response.status_code}, expected {expectation}"
                )
                check(response, expectation, label)


# --- The admin: staff only -----------------------------------------------------

ADMIN_PUBLIC = {"admin:login", "admin:logout"}
SAMPLE_KWARGS = {"app_label": "basins", "object_id": "1", "content_type_id": 1}


def admin_patterns(resolver=None):
    """Every URL pattern under the admin namespace."""
    if resolver is None:
        resolver = next(
            pattern
            for pattern in get_resolver().url_patterns
            if isinstance(pattern, URLResolver) and pattern.namespace == "admin"
        )
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from admin_patterns(pattern)
        else:
            yield pattern


def admin_urls(object_id):
    """(name, url) of every admin page, with sample arguments."""
    samples = {**SAMPLE_KWARGS, "object_id": str(object_id), "id": str(object_id)}
    urls = []
    for pattern in admin_patterns():
        if pattern.name is None:
            continue  # the catch-all final pattern
        name = f"admin:{pattern.name}"
        if name in ADMIN_PUBLIC:
            continue
        kwargs = {
            key: samples.get(key, "1") for key in pattern.pattern.regex.groupindex
        }
        urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


def test_admin_urls_are_walked():
    names = {name for name, _ in admin_urls(1)}
    assert {
        "admin:index",
        "admin:app_list",
        "admin:basins_basin_changelist",
        "admin:basins_basin_import",
        "admin:basins_basin_process_import",
        "admin:basins_commune_change",
        "admin:basins_membership_delete",
        "admin:auth_user_changelist",
    } <= names


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [role for role in access.ROLES if role != access.ADMIN]
)
def test_admin_is_refused_to_every_non_staff_role(client, users, territory, role):
    if role != access.ANONYMOUS:
        client.force_login(users[role])
    for name, url in admin_urls(territory["grenoble"].pk):
        for method in access.METHODS:
            response = getattr(client, method.lower())(url)
            label = f"{name} {method} as {role}: {response.status_code}"
            assert response.status_code == 302, label
            # Anonymous users may land on either login page; both refuse
            # non-staff users.
            login_pages = (reverse("admin:login"), reverse("login"))
            assert response["Location"].startswith(login_pages), label
