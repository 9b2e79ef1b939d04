"""REST endpoints of the online mediation room (thin: parse, call a service or selector, serialise).

Staff only (bearer token). A party on the phone who reads out the code sent to them is
confirmed by the mediator through `POST /terms/{id}/confirmations`; parties on their own phone
use the room's pages."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as HttpStatus

from jiefen.cases.models import Party
from jiefen.cases.selectors import case_scope
from jiefen.core.errors import NotFound, ValidationFailed
from jiefen.core.ratelimit import client_ip
from jiefen.directory.requests import ApiRequest
from jiefen.mediation_room import selectors, services
from jiefen.mediation_room.models import RoomMessage, TermsVersion
from jiefen.procedures.selectors import procedure_get

router = Router(tags=["mediation room"])


class RoomSessionIn(Schema):
    starts_at: datetime
    mode: str
    place: str | None = None
    meeting_link: str | None = None
    note: str | None = None
    invite: bool = False


class RoomSessionOut(Schema):
    id: int
    procedure: int
    starts_at: datetime
    mode: str
    place: str
    meeting_link: str
    note: str
    invited: int | None = None


class RoomMessageIn(Schema):
    text: str | None = None
    file_name: str | None = None
    file_base64: str | None = None


class RoomMessageOut(Schema):
    id: int
    author: str
    staff: str | None
    party_id: int | None
    party: str | None
    text: str
    file_name: str
    file_kind: str
    file_size: int
    file_sha256: str
    at: datetime


class TermsIn(Schema):
    text: str


class TermsOut(Schema):
    id: int
    procedure: int
    number: int
    text: str
    sha256: str
    created_at: datetime
    superseded: bool
    final_at: datetime | None
    confirmed_party_ids: list[int]


class TermsConfirmIn(Schema):
    party_id: int
    code: str


class TermsCodeIn(Schema):
    party_id: int


class TermsConfirmationOut(Schema):
    id: int
    terms: int
    number: int
    party_id: int
    party: str
    confirmed_at: datetime
    ip: str | None
    user_agent: str
    sha256: str
    final: bool


def _session_out(s, invited=None) -> dict:
    return {
        "id": s.pk,
        "procedure": s.procedure_id,
        "starts_at": s.starts_at,
        "mode": s.mode,
        "place": s.place,
        "meeting_link": s.meeting_link,
        "note": s.note,
        "invited": invited,
    }


def _message_out(m: RoomMessage) -> dict:
    return {
        "id": m.pk,
        "author": m.author,
        "staff": str(m.staff) if m.staff_id else None,
        "party_id": m.party_id,
        "party": m.party.name if m.party is not None else None,
        "text": m.text,
        "file_name": m.file_name,
        "file_kind": m.file_kind,
        "file_size": m.file_size,
        "file_sha256": m.file_sha256,
        "at": m.at,
    }


def _terms_out(t: TermsVersion) -> dict:
    return {
        "id": t.pk,
        "procedure": t.procedure_id,
        "number": t.number,
        "text": t.text,
        "sha256": t.sha256,
        "created_at": t.created_at,
        "superseded": t.superseded_at is not None,
        "final_at": t.final_at,
        "confirmed_party_ids": sorted(selectors.confirmed_party_ids(t)),
    }


def _terms(request: ApiRequest, pk: int) -> TermsVersion:
    terms = (
        TermsVersion.objects.filter(pk=pk, case__in=case_scope_cases(request.auth))
        .select_related("procedure")
        .first()
    )
    if terms is None:
        raise NotFound(_("No such terms version."))
    return terms


def case_scope_cases(viewer):
    from jiefen.cases.models import Case

    return Case.objects.filter(case_scope(viewer))


def _party(request: ApiRequest, party_id: int) -> Party:
    party = Party.objects.filter(pk=party_id, case__in=case_scope_cases(request.auth)).first()
    if party is None:
        raise NotFound(_("No such party."))
    return party


@router.post(
    "/procedures/{pk}/sessions",
    response={201: RoomSessionOut},
    summary="Schedule a session of the mediation room",
)
def schedule_session(request: ApiRequest, pk: int, payload: RoomSessionIn):
    proc = procedure_get(viewer=request.auth, pk=pk)
    session = services.session_schedule(
        procedure=proc,
        actor=request.auth,
        starts_at=payload.starts_at,
        mode=payload.mode,
        place=payload.place or "",
        meeting_link=payload.meeting_link or "",
        note=payload.note or "",
    )
    invited = None
    if payload.invite:
        link = request.build_absolute_uri(f"/room/{proc.pk}/?number={proc.case.number}")
        invited = services.parties_invite(procedure=proc, actor=request.auth, link=link)
    return HttpStatus(201, _session_out(session, invited))


@router.get(
    "/procedures/{pk}/messages", response=list[RoomMessageOut], summary="Messages of the mediation room"
)
def list_messages(request: ApiRequest, pk: int, after: int = 0):
    proc = procedure_get(viewer=request.auth, pk=pk)
    return [_message_out(m) for m in selectors.messages(proc, after=after)]


@router.post(
    "/procedures/{pk}/messages", response={201: RoomMessageOut}, summary="Post a message or an evidence file"
)
def post_message(request: ApiRequest, pk: int, payload: RoomMessageIn):
    proc = procedure_get(viewer=request.auth, pk=pk)
    upload = None
    if payload.file_base64:
        try:
            content = base64.b64decode(payload.file_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(
                _("The file is not valid base64."), fields={"file_base64": [_("not base64")]}
            ) from None
        upload = services.Upload(name=(payload.file_name or "file")[:200], content=content)
    msg = services.message_post(procedure=proc, text=payload.text or "", upload=upload, staff=request.auth)
    return HttpStatus(201, _message_out(RoomMessage.objects.select_related("staff", "party").get(pk=msg.pk)))


@router.post("/procedures/{pk}/terms", response={201: TermsOut}, summary="Put terms to the parties")
def propose_terms(request: ApiRequest, pk: int, payload: TermsIn):
    proc = procedure_get(viewer=request.auth, pk=pk)
    return HttpStatus(
        201, _terms_out(services.terms_propose(procedure=proc, actor=request.auth, text=payload.text))
    )


@router.get("/procedures/{pk}/terms", response=list[TermsOut], summary="The terms versions of a procedure")
def list_terms(request: ApiRequest, pk: int):
    proc = procedure_get(viewer=request.auth, pk=pk)
    return [_terms_out(t) for t in TermsVersion.objects.filter(procedure=proc).order_by("number")]


@router.get("/terms/{pk}/check", summary="Check a terms version: the text's hash recomputed")
def check_terms(request: ApiRequest, pk: int):
    return selectors.terms_check(_terms(request, pk))


@router.post(
    "/terms/{pk}/codes", response={201: dict}, summary="Send a party a one-time code for these terms"
)
def send_code(request: ApiRequest, pk: int, payload: TermsCodeIn):
    terms = _terms(request, pk)
    party = _party(request, payload.party_id)
    rc = services.confirm_code_send(terms=terms, party=party)
    return HttpStatus(201, {"party_id": party.pk, "expires_at": rc.expires_at.isoformat()})


@router.post(
    "/terms/{pk}/confirmations",
    response={201: TermsConfirmationOut},
    summary="Confirm terms for a party with the one-time code sent to their phone",
)
def confirm_terms(request: ApiRequest, pk: int, payload: TermsConfirmIn):
    terms = _terms(request, pk)
    party = _party(request, payload.party_id)
    c = services.terms_confirm(
        terms=terms,
        party=party,
        code=payload.code,
        ip=client_ip(request) if client_ip(request) != "unknown" else None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        entered_by=request.auth,
    )
    terms.refresh_from_db()
    return HttpStatus(
        201,
        {
            "id": c.pk,
            "terms": terms.pk,
            "number": terms.number,
            "party_id": c.party_id,
            "party": c.party_name,
            "confirmed_at": c.confirmed_at,
            "ip": c.ip,
            "user_agent": c.user_agent,
            "sha256": c.sha256,
            "final": terms.final_at is not None,
        },
    )
