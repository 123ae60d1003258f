"""Access cases of the diagnostic pages (included by access_cases.py)."""

from tests.access import LOGGED_IN, VISIBLE, Case

CASES = [
    Case(
        "diagnostics:basin_diagnostic",
        make_kwargs=lambda basin: {"code": basin.code},
        allowed={"GET": VISIBLE},
    ),
    # Not tied to a basin: every signed-in user reads the methods.
    Case("diagnostics:methods", allowed={"GET": LOGGED_IN}),
]
