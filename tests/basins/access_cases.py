from tests.access import LOGGED_IN, VISIBLE, Case

CASES = [
    Case("basins:home", allowed={"GET": LOGGED_IN}),
    Case(
        "basins:detail",
        make_kwargs=lambda basin: {"code": basin.code},
        allowed={"GET": VISIBLE},
    ),
    # Authentication pages: open to anyone logged in; login itself is public.
    Case("password_change", allowed={"GET": LOGGED_IN, "POST": LOGGED_IN}),
    Case("password_change_done", allowed={"GET": LOGGED_IN}),
]
