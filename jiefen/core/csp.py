"""A Content-Security-Policy on every answer (settings.JIEFEN_CSP).

Every script of the pages is a file of our own (htmx and ECharts are vendored), no page has an
inline script, event-handler attribute or style attribute, so the policy can allow scripts and
styles from this origin only: an injected `<script>` or `onerror=` does not run even if some
text escaped escaping.
"""

from __future__ import annotations

from django.conf import settings

HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            policy = settings.JIEFEN_CSP
            for prefix, other in getattr(settings, "JIEFEN_CSP_BY_PATH", {}).items():
                if request.path.startswith(prefix):
                    policy = other
                    break
            response[HEADER] = policy
        return response
