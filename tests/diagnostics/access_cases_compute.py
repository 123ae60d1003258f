"""Access cases of the diagnostic pages (included by access_cases.py)."""

from tests.access import VISIBLE, Case

CASES = [
    Case(
        "diagnostics:basin_diagnostic",
        make_kwargs=lambda basin: {"code": basin.code},
        allowed={"GET": VISIBLE},
    ),
]
