from django.utils.functional import SimpleLazyObject

from basins.roles import Roles


class RolesMiddleware:
    """``request.roles``: the user's roles (basins.roles.Roles), computed
    once per request from one query of their memberships, on first use.

    After AuthenticationMiddleware, like les-emplois' current-organisation
    middleware: views, templates and the header read it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.roles = SimpleLazyObject(lambda: Roles(request.user))
        return self.get_response(request)
