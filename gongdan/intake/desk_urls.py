from django.urls import path

from gongdan.intake import desk_views

app_name = "intake-desk"
urlpatterns = [
    path("held/", desk_views.held_list, name="held-list"),
    path("held/<int:pk>/", desk_views.held_detail, name="held"),
    path("held/<int:pk>/decide/", desk_views.held_decide, name="held-decide"),
]
