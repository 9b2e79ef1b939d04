"""Citizens' portal ratings (portal.Rating) become satisfaction opinions like any other:
PartyFeedback rows of source `portal`, for the case's first applicant and the closure the
rating was given in. Where that party already has an opinion for that closure, it is kept and
the portal's stars and comment are added to its comment (nothing is lost)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Rating = apps.get_model("portal", "Rating")
    PartyFeedback = apps.get_model("procedures", "PartyFeedback")
    Party = apps.get_model("cases", "Party")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for r in Rating.objects.order_by("pk").iterator():
        party = Party.objects.filter(case_id=r.case_id, role="applicant").order_by("pk").first()
        if party is None:
            party = Party.objects.filter(case_id=r.case_id).order_by("pk").first()
        if party is None:
            continue
        closure = CaseEvent.objects.filter(case_id=r.case_id, kind="reopen", at__lt=r.at).count() + 1
        known = PartyFeedback.objects.filter(case_id=r.case_id, party_id=party.pk, closure_no=closure).first()
        if known is not None:
            note = f"〔网上评价 {r.stars}/5〕{r.comment}".strip()
            known.comment = f"{known.comment}\n{note}".strip()[:4000]
            known.save(update_fields=["comment"])
            continue
        PartyFeedback.objects.create(
            case_id=r.case_id,
            party_id=party.pk,
            closure_no=closure,
            source="portal",
            score=min(max(int(r.stars), 1), 5),
            comment=r.comment,
            at=r.at,
        )


def backwards(apps, schema_editor):
    Rating = apps.get_model("portal", "Rating")
    PartyFeedback = apps.get_model("procedures", "PartyFeedback")
    for f in PartyFeedback.objects.filter(source="portal").order_by("pk"):
        if not Rating.objects.filter(case_id=f.case_id).exists():
            Rating.objects.create(case_id=f.case_id, stars=f.score, comment=f.comment, at=f.at)
    PartyFeedback.objects.filter(source="portal").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0004_feedback_source"),
        ("portal", "0003_tracking_code_phone"),
        ("cases", "0009_case_lead_due"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
