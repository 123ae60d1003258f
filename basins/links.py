"""Links the apps above basins add to the header and to a basin's page.

basins knows none of them: each app registers its links when it is ready
(its AppConfig.ready), and the header (basins.context_processors) and the
basin page (basins.views.basin_detail) show those the request may follow.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Link:
    label: str
    view_name: str
    # Whether to show it: (request) for the header, (request, basin) for a basin.
    shown: Callable[..., bool] = lambda *args: True
    icon: str = ""
    dom_id: str = ""
    # Links are shown by increasing order.
    order: int = 0


@dataclass(frozen=True)
class ShownLink:
    link: Link
    url: str
    current: bool


NAV_LINKS: list[Link] = []
BASIN_LINKS: list[Link] = []


def add_nav_link(link: Link) -> None:
    if link not in NAV_LINKS:
        NAV_LINKS.append(link)
        NAV_LINKS.sort(key=lambda link: link.order)


def add_basin_link(link: Link) -> None:
    """A link of a basin's page; its URL takes the basin's code."""
    if link not in BASIN_LINKS:
        BASIN_LINKS.append(link)
        BASIN_LINKS.sort(key=lambda link: link.order)


def nav_links(request) -> list[ShownLink]:
    match = request.resolver_match
    current = match.view_name if match else ""
    return [
        ShownLink(link, reverse(link.view_name), link.view_name == current)
        for link in NAV_LINKS
        if link.shown(request)
    ]


def basin_links(request, basin) -> list[ShownLink]:
    return [
        ShownLink(link, reverse(link.view_name, args=[basin.code]), False)
        for link in BASIN_LINKS
        if link.shown(request, basin)
    ]
