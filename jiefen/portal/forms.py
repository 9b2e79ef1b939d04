from django import forms
from django.utils.translation import gettext_lazy as _

from jiefen.cases.choices import Category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SubmitForm(forms.Form):
    county = forms.CharField(label=_("County"), required=False, max_length=12)
    town = forms.CharField(label=_("Town"), required=False, max_length=12)
    village = forms.CharField(label=_("Village"), required=False, max_length=12)
    description = forms.CharField(
        label=_("What happened"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    respondent = forms.CharField(label=_("Who is involved (the other side)"), max_length=100, required=False)
    request = forms.CharField(
        label=_("What do you ask for"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    category = forms.ChoiceField(
        label=_("Kind of matter (optional)"),
        choices=[("", _("not sure"))] + list(Category.choices),
        required=False,
    )
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Your mobile number"), max_length=20, required=False)
    latitude = forms.CharField(label=_("Latitude"), max_length=20, required=False)
    longitude = forms.CharField(label=_("Longitude"), max_length=20, required=False)


class TrackForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=24)
    query_code = forms.CharField(label=_("Query code"), max_length=12)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code from the text message"), max_length=6, min_length=6)


class RateForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("How satisfied are you with the result?"),
        choices=[
            (5, _("very satisfied")),
            (4, _("satisfied")),
            (3, _("so-so")),
            (2, _("dissatisfied")),
            (1, _("very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the matter not settled?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
