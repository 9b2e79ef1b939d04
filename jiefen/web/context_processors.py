"""What every staff page shows beyond its own content."""

from __future__ import annotations

from jiefen.deadlines.selectors import calendar_outlook

# Who is told when the holiday notice is missing: those who can load it or see that it is.
CALENDAR_BANNER_ROLES = frozenset({"admin", "leader"})


def calendar_banner(request) -> dict:
    """`calendar_banner`: the calendar outlook for administrators and leaders when a notice that
    matters now is missing (from 1 November for next year; urgent after 1 January)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not (user.is_superuser or CALENDAR_BANNER_ROLES & set(getattr(user, "roles", None) or ())):
        return {}
    outlook = calendar_outlook()
    return {"calendar_banner": outlook} if not outlook.ok else {}


def centre_contacts(request) -> dict:
    """`centre`: the portal's public address and the centre's address and phone (settings
    JIEFEN_PORTAL_URL, JIEFEN_CENTRE_ADDRESS, JIEFEN_CENTRE_PHONE), for receipts and portal pages."""
    from django.conf import settings

    return {
        "centre": {
            "portal_url": settings.JIEFEN_PORTAL_URL,
            "address": settings.JIEFEN_CENTRE_ADDRESS,
            "phone": settings.JIEFEN_CENTRE_PHONE,
        }
    }
