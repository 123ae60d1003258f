from tests.diagnostics.access_cases_compute import CASES as COMPUTE_CASES

CASES = []
CASES += COMPUTE_CASES
