from tests.access import ADMINS, LOGGED_IN, Case
from tests.diagnostics.access_cases_compute import CASES as COMPUTE_CASES
from tests.diagnostics.factories import FinishedImportRunFactory, ImportRunFactory

CASES = []
CASES += COMPUTE_CASES

# Public data imports: the list, the upload form and the rejected rows are
# for staff with the import permission only (the admin here); others get 403
# on the list and the form, 404 on the rejects. A run's page is the
# provenance every source line links to: every signed-in user reads it.
# Runs are not tied to a basin: make_kwargs only creates one.
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
        allowed={"GET": LOGGED_IN},
        basin_bound=False,
    ),
    Case(
        "diagnostics:import_rejects",
        make_kwargs=lambda basin: {"pk": FinishedImportRunFactory().pk},
        allowed={"GET": ADMINS},
        visible=frozenset(),
    ),
]
