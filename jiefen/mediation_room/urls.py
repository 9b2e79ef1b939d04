from django.urls import path

from jiefen.mediation_room import views

app_name = "mediation_room"
urlpatterns = [
    # a party, on a phone, without an account
    path("<int:pk>/", views.join, name="join"),
    path("<int:pk>/code/", views.join_code, name="join_code"),
    path("<int:pk>/in/", views.room, name="room"),
    path("<int:pk>/in/messages/", views.room_messages, name="room_messages"),
    path("<int:pk>/in/post/", views.room_post, name="room_post"),
    path("<int:pk>/in/terms/", views.room_terms, name="room_terms"),
    path("<int:pk>/in/terms/<int:tid>/code/", views.room_confirm_code, name="room_confirm_code"),
    path("<int:pk>/in/terms/<int:tid>/confirm/", views.room_confirm, name="room_confirm"),
    path("<int:pk>/in/file/<int:mid>/", views.room_file, name="room_file"),
    # the mediator
    path("<int:pk>/mediator/", views.mediator, name="mediator"),
    path("<int:pk>/mediator/messages/", views.mediator_messages, name="mediator_messages"),
    path("<int:pk>/mediator/session/", views.mediator_session, name="mediator_session"),
    path("<int:pk>/mediator/invite/", views.mediator_invite, name="mediator_invite"),
    path("<int:pk>/mediator/post/", views.mediator_post, name="mediator_post"),
    path("<int:pk>/mediator/terms/", views.mediator_terms, name="mediator_terms"),
    path("<int:pk>/mediator/file/<int:mid>/", views.mediator_file, name="mediator_file"),
]
