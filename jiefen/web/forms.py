"""Forms of the staff pages. They parse and render; the rules live in the services.

Fields are deliberately lenient (not required, generous lengths): what a case needs is decided
by `cases.services.case_register`, whose ValidationFailed.fields are put back on these forms.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jiefen.cases.choices import Category, Channel, Level, PartyKind, PartyRole, ResolvedLevel, Status
from jiefen.cases.selectors import ORDERS
from jiefen.directory.backends import LOGIN_REFUSED
from jiefen.directory.forms import SecondFactorMixin

MAX_PARTY_ROWS = 20


class LoginForm(SecondFactorMixin, AuthenticationForm):
    """Django's login form. The lockout after repeated failures is in the authentication
    backend (jiefen.directory.backends), so it holds for every way in; a locked account gets
    the same answer as a wrong password or an unknown user."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": LOGIN_REFUSED,
    }


class CaseRegisterForm(forms.Form):
    """The case part of the walk-in screen; the region comes from the county/town/village picker."""

    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices, initial=Channel.WALK_IN)
    county = forms.CharField(label=_("county"), required=False, max_length=12)
    town = forms.CharField(label=_("town"), required=False, max_length=12)
    village = forms.CharField(label=_("village"), required=False, max_length=12)
    category = forms.ChoiceField(
        label=_("category"), choices=[("", _("— choose —")), *Category.choices], required=False
    )
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    request = forms.CharField(
        label=_("what is asked"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    received_at = forms.DateTimeField(
        label=_("received at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Only for letters, hotline orders and the like registered later; empty means now."),
    )
    party_count = forms.IntegerField(required=False, min_value=2, max_value=MAX_PARTY_ROWS)
    repeat_reason = forms.CharField(
        label=_("reason to register a repeat petition"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def region_code(self) -> str:
        data = self.cleaned_data
        return data.get("village") or data.get("town") or data.get("county") or ""


class PartyForm(forms.Form):
    """One party row: applicant first, respondent second, any further row chooses its role."""

    role = forms.ChoiceField(label=_("role"), choices=PartyRole.choices)
    kind = forms.ChoiceField(label=_("kind"), choices=PartyKind.choices, initial=PartyKind.PERSON)
    name = forms.CharField(label=_("name"), required=False, max_length=200)
    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("phone"), required=False, max_length=40, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def is_blank(self) -> bool:
        d = self.cleaned_data
        return not (d.get("name") or d.get("id_number") or d.get("phone"))


def default_role(index: int) -> str:
    return [PartyRole.APPLICANT, PartyRole.RESPONDENT][index] if index < 2 else PartyRole.THIRD_PARTY


class CaseFilterForm(forms.Form):
    """The filters of the case list (GET)."""

    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("all")), ("open", _("open (not ended)")), *Status.choices],
    )
    region = forms.CharField(label=_("region"), required=False, max_length=12)
    level = forms.ChoiceField(label=_("level"), required=False, choices=[("", _("all")), *Level.choices])
    category = forms.ChoiceField(
        label=_("category"), required=False, choices=[("", _("all")), *Category.choices]
    )
    overdue = forms.ChoiceField(
        label=_("overdue"),
        required=False,
        choices=[("", _("all")), ("1", _("overdue only")), ("0", _("not overdue"))],
    )
    q = forms.CharField(label=_("search"), required=False, max_length=100)
    # Set by the dashboard's drill-down links (no inputs of their own on the list page).
    channel = forms.ChoiceField(required=False, choices=[("", ""), *Channel.choices])
    received_from = forms.DateField(required=False)
    received_to = forms.DateField(required=False)
    resolved_from = forms.DateField(required=False)
    resolved_to = forms.DateField(required=False)
    resolved_level = forms.ChoiceField(required=False, choices=[("", ""), *ResolvedLevel.choices])
    # A column header of the list (cases.selectors.ORDERS); empty: newest first, or best match.
    sort = forms.ChoiceField(required=False, choices=[("", ""), *((k, k) for k in ORDERS)])

    def selector_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "order": d.get("sort") or None,
            "channel": d.get("channel") or None,
            "received_from": d.get("received_from"),
            "received_to": d.get("received_to"),
            "resolved_from": d.get("resolved_from"),
            "resolved_to": d.get("resolved_to"),
            "resolved_level": d.get("resolved_level") or None,
            "status": d.get("status") or None,
            "region": (d.get("region") or "").strip() or None,
            "level": d.get("level") or None,
            "category": d.get("category") or None,
            "overdue": {"1": True, "0": False}.get(d.get("overdue") or ""),
            "q": (d.get("q") or "").strip() or None,
        }
