"""REST endpoints of the full chain (thin: parse, call a service or selector, serialise)."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as HttpStatus

from jiefen.cases import selectors as case_selectors
from jiefen.core.errors import NotFound
from jiefen.directory.models import Organization
from jiefen.directory.requests import ApiRequest
from jiefen.procedures import documents, selectors, services
from jiefen.procedures.models import ReceptionDay, ReturnVisit, SupervisionOrder
from jiefen.procedures.serializers import procedure_out, procedures_out

router = Router(tags=["procedures"])

T = 20000


class ExtensionOut(Schema):
    id: int
    days: int
    status: str
    reason: str
    basis: str


class StepOut(Schema):
    id: int
    code: str
    label: str
    rule: str | None
    rule_source: str
    days: int | None
    unit: str | None
    started_at: datetime
    due_at: datetime | None
    provisional: bool = Field(
        False, description="due date counted on the statutory holidays of a year whose notice is not loaded"
    )
    days_left: int | None
    overdue: bool
    extended_days: int
    extension_bound: int
    extension_approver: str
    paused: bool
    paused_intervals: list
    ended_at: datetime | None
    outcome: str
    extensions: list[ExtensionOut]


class SessionOut(Schema):
    held_at: datetime
    place: str
    participants: str
    minutes: str


class ProcedureOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    state: str
    outcome: str
    organization: str
    handler: str | None
    follows: int | None
    started_at: datetime
    ended_at: datetime | None
    version: int
    data: dict
    steps: list[StepOut]
    sessions: list[SessionOut]
    allowed_actions: list[str]


class ProcedureIn(Schema):
    kind: str = Field(..., max_length=30)
    on: date | None = None
    received_on: date | None = None
    simple: bool = False
    mediators: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=2000)


class ProcedureActionIn(Schema):
    action: str = Field(..., max_length=40)
    version: int | None = None
    on: date | None = None
    reason: str | None = Field(None, max_length=2000)
    terms: str | None = Field(None, max_length=T)
    facts: str | None = Field(None, max_length=T)
    performance: str | None = Field(None, max_length=2000)
    effective_on: date | None = None
    legal_route: str | None = Field(None, max_length=2000)
    result: str | None = Field(None, max_length=2000)
    # petition answers: the demands upheld, partly upheld or rejected
    demands: str | None = Field(None, max_length=10)
    ruling_no: str | None = Field(None, max_length=100)
    ruling_on: date | None = None
    court_id: int | None = Field(None, description="file_application: the court (court or 人民法庭)")
    settlement: bool = Field(False, description="record_agreement: the parties settled by themselves (和解)")
    court_case_no: str | None = Field(None, max_length=100)
    lawyer: str | None = Field(None, max_length=100)
    days: int | None = Field(None, ge=1, le=366)
    extension_id: int | None = None
    parties_consent: bool = False
    held_at: datetime | None = None
    mediators: str | None = Field(None, max_length=200)
    place: str | None = Field(None, max_length=200)
    participants: str | None = Field(None, max_length=2000)
    minutes: str | None = Field(None, max_length=T)


class AgreementIn(Schema):
    terms: str = Field(..., max_length=T)
    facts: str | None = Field(None, max_length=T)
    performance: str | None = Field(None, max_length=2000)
    effective_on: date | None = None


class AgreementOut(Schema):
    id: int
    version: int
    terms: str
    facts: str
    performance: str
    effective_on: date
    committee: str


class CloseIn(Schema):
    reason: str | None = Field(None, max_length=2000)
    version: int | None = None


class ReturnVisitOut(Schema):
    id: int
    status: str
    due_at: datetime
    provisional: bool
    reached: bool | None
    satisfied: bool | None
    recurred: bool
    note: str


class ReturnVisitIn(Schema):
    reached: bool
    satisfied: bool | None = None
    recurred: bool = False
    note: str | None = Field(None, max_length=2000)


class FeedbackIn(Schema):
    party_id: int
    score: int
    comment: str | None = Field(None, max_length=2000)
    source: str = Field(
        "staff",
        description="staff (window, phone), hotline (the 12345 hotline's own return visit); the portal writes its own",
        pattern="^(staff|hotline)$",
    )


class FeedbackOut(Schema):
    id: int
    party_id: int
    score: int
    comment: str
    closure_no: int
    source: str


class MyDeadlineOut(Schema):
    kind: str
    due_at: datetime | None
    provisional: bool
    overdue: bool
    case_number: str
    label: str
    procedure_kind: str
    step: str
    ref: int


class ReceptionIn(Schema):
    kind: str = Field(..., max_length=12)
    date: date
    place: str = Field(..., max_length=200)
    leader_id: int | None = None
    note: str | None = Field(None, max_length=2000)


class ReceptionOut(Schema):
    id: int
    kind: str
    date: date
    place: str
    leader: str


class BookingIn(Schema):
    case_number: str = Field(..., max_length=24)
    note: str | None = Field(None, max_length=2000)


class NoteIn(Schema):
    note: str | None = Field(None, max_length=2000)


class SupervisionIn(Schema):
    instructions: str = Field(..., max_length=T)
    due_on: date | None = None
    organization_id: int | None = None


class SupervisionOut(Schema):
    id: int
    organization: str
    instructions: str
    due_at: datetime
    provisional: bool
    reply: str
    replied_at: datetime | None


class ReplyIn(Schema):
    reply: str = Field(..., max_length=T)


class LeaderCaseOut(Schema):
    case_number: str
    status: str
    started_at: datetime


def _case(request: ApiRequest, number):
    return case_selectors.case_get(viewer=request.auth, number=number)


def _agreement_out(a) -> dict:
    return {
        "id": a.pk,
        "version": a.version,
        "terms": a.terms,
        "facts": a.facts,
        "performance": a.performance,
        "effective_on": a.effective_on,
        "committee": a.committee,
    }


@router.post(
    "/cases/{number}/procedures", response={201: ProcedureOut}, summary="Start a procedure on a case"
)
def start_procedure(request: ApiRequest, number: str, payload: ProcedureIn):
    case = _case(request, number)
    proc = services.procedure_start(
        case=case,
        actor=request.auth,
        kind=payload.kind,
        on=payload.on,
        received_on=payload.received_on,
        simple=payload.simple,
        mediators=payload.mediators or "",
        note=payload.note or "",
    )
    return HttpStatus(
        201, procedure_out(selectors.procedure_get(viewer=request.auth, pk=proc.pk), request.auth)
    )


class ProcedureKindOut(Schema):
    kind: str
    label: str


@router.get(
    "/cases/{number}/procedure-kinds",
    response=list[ProcedureKindOut],
    summary="The procedures the caller's organisation may start on this case",
)
def offered_procedure_kinds(request: ApiRequest, number: str):
    case = _case(request, number)
    return [
        {"kind": k, "label": str(label)}
        for k, label in selectors.procedure_kinds_offered(viewer=request.auth, case=case)
    ]


@router.get("/cases/{number}/procedures", response=list[ProcedureOut], summary="The procedures of a case")
def list_procedures(request: ApiRequest, number: str):
    return procedures_out(_case(request, number), request.auth)


@router.get("/procedures/{pk}", response=ProcedureOut, summary="One procedure with its steps")
def get_procedure(request: ApiRequest, pk: int):
    return procedure_out(selectors.procedure_get(viewer=request.auth, pk=pk), request.auth)


@router.post("/procedures/{pk}/actions", response=ProcedureOut, summary="Move a procedure on")
def procedure_action(request: ApiRequest, pk: int, payload: ProcedureActionIn):
    proc = selectors.procedure_get(viewer=request.auth, pk=pk)
    fields = payload.dict(exclude={"action", "version"})
    data = services.ActInput(
        **{
            k: (
                v
                if v is not None
                or k in ("on", "effective_on", "days", "extension_id", "held_at", "court_id", "ruling_on")
                else ""
            )
            for k, v in fields.items()
        }
    )
    services.procedure_act(
        procedure=proc, actor=request.auth, action=payload.action, data=data, version=payload.version
    )
    return procedure_out(selectors.procedure_get(viewer=request.auth, pk=pk), request.auth)


@router.get("/cases/{number}/agreements", response=list[AgreementOut], summary="Agreement versions")
def list_agreements(request: ApiRequest, number: str):
    return [_agreement_out(a) for a in selectors.agreements(case=_case(request, number))]


@router.post(
    "/cases/{number}/agreements", response={201: AgreementOut}, summary="Edit the terms (new version)"
)
def revise_agreement(request: ApiRequest, number: str, payload: AgreementIn):
    agreement = services.agreement_revise(
        case=_case(request, number),
        actor=request.auth,
        terms=payload.terms,
        facts=payload.facts or "",
        performance=payload.performance or "",
        effective_on=payload.effective_on,
    )
    return HttpStatus(201, _agreement_out(agreement))


class DocumentOut(Schema):
    name: str
    title: str
    format: str
    version: int | None
    url: str


def _generated(request: ApiRequest, number: str, name: str, version: int | None) -> HttpResponse:
    case = _case(request, number)
    doc = documents.document_generate(case=case, viewer=request.auth, name=name, version=version, via="api")
    resp = HttpResponse(doc.body, content_type=doc.content_type)
    resp["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    resp["Cache-Control"] = "private, no-store"  # the parties' identity in full
    return resp


@router.get(
    "/cases/{number}/documents/",
    response=list[DocumentOut],
    summary="The documents that can be generated for the case (agreement, application, 卷宗)",
)
def list_documents(request: ApiRequest, number: str):
    case = _case(request, number)
    return [
        {**d, "url": f"/api/v1/cases/{case.number}/documents/{d['name']}"}
        for d in documents.documents_available(case)
    ]


@router.get(
    "/cases/{number}/documents/{name}",
    summary="Generate one document (.docx or PDF, A4): a logged disclosure of the parties' identity",
)
def get_document(request: ApiRequest, number: str, name: str, version: int | None = None):
    return _generated(request, number, name, version)


@router.post(
    "/cases/{number}/close",
    response=ReturnVisitOut,
    summary="Close, notify the parties, schedule the return visit",
)
def close_case(request: ApiRequest, number: str, payload: CloseIn):
    visit = services.case_close_and_follow_up(
        case=_case(request, number), actor=request.auth, reason=payload.reason or "", version=payload.version
    )
    return _visit_out(visit)


@router.post(
    "/cases/{number}/follow-up",
    response=ReturnVisitOut,
    summary="Notify the parties and schedule the return visit of a closed case",
)
def follow_up(request: ApiRequest, number: str):
    return _visit_out(services.case_follow_up(case=_case(request, number), actor=request.auth))


def _visit_out(v: ReturnVisit) -> dict:
    return {
        "id": v.pk,
        "status": v.status,
        "due_at": v.due_at,
        "provisional": v.due_provisional,
        "reached": v.reached,
        "satisfied": v.satisfied,
        "recurred": v.recurred,
        "note": v.note,
    }


@router.post("/return-visits/{pk}", response=ReturnVisitOut, summary="Record a return visit")
def record_return_visit(request: ApiRequest, pk: int, payload: ReturnVisitIn):
    visit = ReturnVisit.objects.filter(pk=pk).select_related("case").first()
    if visit is None:
        raise NotFound(_("No such return visit."))
    _case(request, visit.case.number)  # jurisdiction
    visit = services.return_visit_record(
        visit=visit,
        actor=request.auth,
        reached=payload.reached,
        satisfied=payload.satisfied,
        recurred=payload.recurred,
        note=payload.note or "",
    )
    return _visit_out(visit)


@router.post("/cases/{number}/feedback", response={201: FeedbackOut}, summary="A party's satisfaction (1–5)")
def record_feedback(request: ApiRequest, number: str, payload: FeedbackIn):
    case = _case(request, number)
    party = case.parties.filter(pk=payload.party_id).first()
    if party is None:
        raise NotFound("No such party.")
    fb = services.feedback_record(
        case=case,
        party=party,
        score=payload.score,
        comment=payload.comment or "",
        actor=request.auth,
        source=payload.source,
    )
    return HttpStatus(
        201,
        {
            "id": fb.pk,
            "party_id": fb.party_id,
            "score": fb.score,
            "comment": fb.comment,
            "closure_no": fb.closure_no,
            "source": fb.source,
        },
    )


@router.get("/me/deadlines", response=list[MyDeadlineOut], summary="My deadlines, soonest first")
def my_deadlines(request: ApiRequest):
    return [
        {
            "kind": r.kind,
            "due_at": r.due_at,
            "provisional": r.provisional,
            "overdue": r.overdue,
            "case_number": r.case_number,
            "label": r.label,
            "procedure_kind": r.procedure_kind,
            "step": r.step,
            "ref": r.ref,
        }
        for r in selectors.my_deadlines(viewer=request.auth)
    ]


@router.post("/receptions", response={201: ReceptionOut}, summary="Plan a reception day or a visit down")
def create_reception(request: ApiRequest, payload: ReceptionIn):
    from jiefen.directory.models import Staff

    leader = None
    if payload.leader_id is not None:
        leader = Staff.objects.filter(pk=payload.leader_id).first()
        if leader is None:
            raise NotFound("No such leader.")
    r = services.reception_create(
        actor=request.auth,
        kind=payload.kind,
        day=payload.date,
        place=payload.place,
        leader=leader,
        note=payload.note or "",
    )
    return HttpStatus(
        201, {"id": r.pk, "kind": r.kind, "date": r.date, "place": r.place, "leader": str(r.leader)}
    )


class ReceptionListOut(ReceptionOut):
    bookings: list[str]


@router.get(
    "/receptions", response=list[ReceptionListOut], summary="Reception days from a date, with booked cases"
)
def list_receptions(request: ApiRequest, since: date | None = None):
    return [
        {
            "id": r.pk,
            "kind": r.kind,
            "date": r.date,
            "place": r.place,
            "leader": str(r.leader),
            "bookings": [b.case.number for b in r.bookings.all()],
        }
        for r in selectors.reception_list(viewer=request.auth, since=since)
    ]


@router.post("/receptions/{pk}/bookings", response={201: dict}, summary="Book a case into a reception day")
def book_reception(request: ApiRequest, pk: int, payload: BookingIn):
    reception = ReceptionDay.objects.filter(pk=pk).first()
    if reception is None:
        raise NotFound("No such reception day.")
    booking = services.reception_book(
        reception=reception,
        case=_case(request, payload.case_number),
        actor=request.auth,
        note=payload.note or "",
    )
    return HttpStatus(201, {"id": booking.pk, "reception": reception.pk, "case_number": payload.case_number})


@router.post(
    "/cases/{number}/leader-charge", response={201: dict}, summary="A leader takes charge of the case (包案)"
)
def take_charge(request: ApiRequest, number: str, payload: NoteIn):
    charge = services.leader_take_charge(
        case=_case(request, number), actor=request.auth, note=payload.note or ""
    )
    return HttpStatus(201, {"id": charge.pk, "leader": str(charge.leader), "started_at": charge.started_at})


@router.post("/cases/{number}/leader-charge/release", response=dict, summary="The leader hands the case back")
def release_charge(request: ApiRequest, number: str, payload: NoteIn):
    charge = services.leader_release(case=_case(request, number), actor=request.auth, note=payload.note or "")
    return {"id": charge.pk, "ended_at": charge.ended_at}


@router.get("/me/leader-cases", response=list[LeaderCaseOut], summary="Cases I am in charge of (包案)")
def my_leader_cases(request: ApiRequest):
    return [
        {"case_number": c.case.number, "status": c.case.status, "started_at": c.started_at}
        for c in selectors.leader_cases(viewer=request.auth)
    ]


def _order_out(o: SupervisionOrder) -> dict:
    return {
        "id": o.pk,
        "organization": o.organization.name,
        "instructions": o.instructions,
        "due_at": o.due_at,
        "provisional": o.due_provisional,
        "reply": o.reply,
        "replied_at": o.replied_at,
    }


@router.post(
    "/cases/{number}/supervisions", response={201: SupervisionOut}, summary="Issue a supervision order (督办)"
)
def order_supervision(request: ApiRequest, number: str, payload: SupervisionIn):
    org = None
    if payload.organization_id is not None:
        org = Organization.objects.filter(pk=payload.organization_id).first()
        if org is None:
            raise NotFound("No such organisation.")
    order = services.supervision_order(
        case=_case(request, number),
        actor=request.auth,
        instructions=payload.instructions,
        due_on=payload.due_on,
        organization=org,
    )
    return HttpStatus(201, _order_out(order))


@router.post("/supervisions/{pk}/reply", response=SupervisionOut, summary="Reply to a supervision order")
def reply_supervision(request: ApiRequest, pk: int, payload: ReplyIn):
    order = SupervisionOrder.objects.filter(pk=pk).select_related("case").first()
    if order is None:
        raise NotFound("No such order.")
    _case(request, order.case.number)
    return _order_out(services.supervision_reply(order=order, actor=request.auth, reply=payload.reply))
