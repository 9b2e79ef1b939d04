"""The type of a request that the API's bearer-token authentication let through.

django-ninja sets `request.auth` to what the authenticator returned (jiefen.api.router: the
staff member of the token or session). Annotating an API function's request as `ApiRequest`
tells the type checker so; at run time nothing changes (ninja ignores the annotation of the
request parameter).
"""

from __future__ import annotations

from django.http import HttpRequest

from jiefen.directory.models import Staff


class ApiRequest(HttpRequest):
    auth: Staff
