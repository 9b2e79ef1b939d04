from django.urls import path

from jiefen.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("regions/children/", views.region_children, name="region_children"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_register, name="case_register"),
    path("cases/bulk/", views.case_bulk, name="case_bulk"),
    path("cases/<str:number>/", views.case_detail, name="case_detail"),
    path("cases/<str:number>/receipt/", views.case_receipt, name="case_receipt"),
    path("cases/<str:number>/qr.svg", views.case_qr, name="case_qr"),
    path("cases/<str:number>/query-code/", views.query_code_reissue, name="query_code_reissue"),
    path(
        "cases/<str:number>/attachments/<int:attachment_id>/",
        views.attachment_file,
        name="attachment_file",
    ),
    path("cases/<str:number>/actions/", views.case_action, name="case_action"),
    path("cases/<str:number>/parties/<int:party_id>/reveal/", views.party_reveal, name="party_reveal"),
]
