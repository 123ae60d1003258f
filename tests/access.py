"""The access matrix: every URL pattern x role x territory x method.

Each app declares its URLs in ``tests/<app>/access_cases.py`` as ``CASES``, a
list of :class:`Case`. ``tests/test_access_matrix.py`` runs them all and fails
when a URL pattern of the project is declared nowhere.

For a URL tied to a basin, ``make_kwargs(basin)`` creates whatever objects the
URL needs *in that basin* and returns the URL kwargs. It is called afresh for
every request, so a POST that deletes or changes state does not affect the
next role. The matrix then expects, for each role:

- anonymous: a redirect to the login page;
- a method the view does not accept (absent from ``allowed``): 405 (403/404
  accepted), never 2xx;
- another basin (Châteauroux, outside every non-admin test user's territory):
  404, except for the admin;
- a role in ``allowed[method]``: anything but 403, 404 and 5xx;
- a role that may see the basin but not do this: 403;
- a role that may not see it at all (outsider): 404.

For a URL not tied to a basin (``make_kwargs`` is None, or ``basin_bound``
is False for one that still needs kwargs, such as an import's page),
roles outside ``allowed[method]`` must get 403, 404 or a redirect; never a
2xx.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

ANONYMOUS = "anonymous"
OUTSIDER = "outsider"
MEMBER = "member"
LEAD = "lead"
DEPARTMENT_REVIEWER = "department_reviewer"
REGION_REVIEWER = "region_reviewer"
ADMIN = "admin"

ROLES = (ANONYMOUS, OUTSIDER, MEMBER, LEAD, DEPARTMENT_REVIEWER, REGION_REVIEWER, ADMIN)
COMMITTEE = frozenset({MEMBER, LEAD})
LEADS = frozenset({LEAD})
REVIEWERS = frozenset({DEPARTMENT_REVIEWER, REGION_REVIEWER})
ADMINS = frozenset({ADMIN})
# Every logged-in role attached to the test basin (Grenoble, Isère, ARA).
VISIBLE = COMMITTEE | REVIEWERS | ADMINS
LOGGED_IN = VISIBLE | {OUTSIDER}

METHODS = ("GET", "POST")


@dataclass(frozen=True)
class Case:
    url_name: str
    make_kwargs: Callable | None = None
    allowed: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: {"GET": VISIBLE}
    )
    # POST payload; receives the basin and the URL kwargs.
    post_data: Callable | None = None
    # Roles that may see the object: they get 403 rather than 404 when not allowed.
    visible: frozenset[str] = VISIBLE
    # Extra query string for GET (e.g. a required parameter).
    query: str = ""
    # False: make_kwargs(None) builds the kwargs of an object of no basin.
    basin_bound: bool = True

    @property
    def territorial(self) -> bool:
        return self.make_kwargs is not None and self.basin_bound
