from tests.access import ADMINS, Case
from tests.diagnostics.access_cases_compute import CASES as COMPUTE_CASES
from tests.diagnostics.factories import FinishedImportRunFactory, ImportRunFactory

CASES = []
CASES += COMPUTE_CASES

# Public data imports: staff with the import permission only (the admin
# here). Others get 403 on the list and the form, 404 on a run's pages (runs
# are not tied to a basin: make_kwargs only creates one, visible is empty).
CASES += [
    Case("diagnostics:import_list", allowed={"GET": ADMINS}),
    Case(
        "diagnostics:import_upload",
        allowed={"GET": ADMINS, "POST": ADMINS},
        # An empty POST: the form comes back with its errors (422).
    ),
    Case(
        "diagnostics:import_detail",
        make_kwargs=lambda basin: {"pk": ImportRunFactory().pk},
        allowed={"GET": ADMINS},
        visible=frozenset(),
    ),
    Case(
        "diagnostics:import_rejects",
        make_kwargs=lambda basin: {"pk": FinishedImportRunFactory().pk},
        allowed={"GET": ADMINS},
        visible=frozenset(),
    ),
]
