from django.urls import path

from jiefen.procedures import performance_views, views

app_name = "procedures"
urlpatterns = [
    path("deadlines/", views.my_deadlines, name="my_deadlines"),
    path("cases/<str:number>/start/", views.procedure_start, name="start"),
    path("<int:pk>/act/", views.procedure_act, name="act"),
    path("cases/<str:number>/agreement/", views.agreement_revise, name="agreement_revise"),
    path("cases/<str:number>/agreement.<str:fmt>", views.agreement_download, name="agreement_download"),
    path("cases/<str:number>/documents/<str:name>", views.document_download, name="document"),
    path("cases/<str:number>/close/", views.case_close, name="close"),
    path("cases/<str:number>/follow-up/", views.case_follow_up, name="follow_up"),
    path("cases/<str:number>/feedback/", views.feedback, name="feedback"),
    path("return-visits/<int:pk>/", views.return_visit, name="return_visit"),
    path("cases/<str:number>/leader/", views.leader_charge, name="leader_charge"),
    path("cases/<str:number>/supervise/", views.supervise, name="supervise"),
    path("cases/<str:number>/reception/", views.reception_book, name="reception_book"),
    path("receptions/", views.reception_create, name="reception_create"),
    path("supervisions/<int:pk>/reply/", views.supervision_reply, name="supervision_reply"),
    path("cases/<str:number>/performance/terms/", performance_views.term_add, name="term_add"),
    path(
        "cases/<str:number>/performance/terms/<int:term_id>/records/",
        performance_views.record,
        name="performance_record",
    ),
]
