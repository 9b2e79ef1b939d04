from django.db import models
from django.utils.translation import gettext_lazy as _


class Template(models.TextChoices):
    """One message template per event."""

    CASE_REGISTERED = "case_registered", _("case registered (to the applicant)")
    CASE_ACCEPTED = "case_accepted", _("case accepted (to the applicant)")
    CASE_RESULT = "case_result", _("result of the case (to the applicant)")
    RATE_INVITATION = "rate_invitation", _("invitation to rate (to the applicant)")
    ONE_TIME_CODE = "one_time_code", _("one-time code to track a case (to the applicant)")
    RETURN_VISIT_REMINDER = "return_visit_reminder", _("return-visit reminder (to staff)")
    DUTY_ALERT = "duty_alert", _("alert to duty staff")
    REOPEN_REQUESTED = "reopen_requested", _("a citizen asks to reopen (to duty staff)")
    QUERY_CODE_REISSUED = "query_code_reissued", _("new query code (to a verified party)")
    ROOM_INVITATION = "room_invitation", _("invitation to the online mediation room (to a party)")
    ROOM_CODE = "room_code", _("one-time code for the mediation room (to a party)")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


# The wording each template starts with (zh-Hans, the language of the recipients); an admin
# can change it in NotificationTemplate. Placeholders: {number}, {status}, {organization},
# {code}, {minutes}, {url}, {text}, {title},
# {name}, {when}, {mode}, {purpose}.
DEFAULT_BODIES: dict[str, str] = {
    Template.CASE_REGISTERED: "【矛调中心】您反映的事项已登记，案件编号{number}。请凭编号和查询码查询办理进度。",
    Template.CASE_ACCEPTED: "【矛调中心】您的案件{number}已由{organization}受理，我们会尽快联系您。",
    Template.CASE_RESULT: "【矛调中心】您的案件{number}已办理完毕：{text}",
    Template.RATE_INVITATION: "【矛调中心】您的案件{number}已办结，请凭编号和查询码对办理结果进行评价。",
    Template.ONE_TIME_CODE: "【矛调中心】查询验证码{code}，{minutes}分钟内有效。请勿告诉他人。",
    Template.QUERY_CODE_REISSUED: "【矛调中心】您的案件{number}已补发新查询码{code}，原查询码作废。请勿告诉他人。",
    Template.RETURN_VISIT_REMINDER: "【矛调中心】案件{number}已化解，请于近日完成回访。",
    Template.DUTY_ALERT: "【矛调中心预警】{title}：{text}",
    Template.REOPEN_REQUESTED: "【矛调中心】案件{number}的当事人申请重新办理：{text}",
    Template.ROOM_INVITATION: "【矛调中心】{name}您好，案件{number}的调解定于{when}（{mode}）。请用手机打开{url} 进入在线调解室。",
    Template.ROOM_CODE: "【矛调中心】{purpose}验证码{code}，{minutes}分钟内有效。请勿告诉他人。",
}
