from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from gongdan.config.api import api
from gongdan.core.views import healthz

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("feedback/", include("gongdan.feedback.urls")),
    path("help/", include("gongdan.intake.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
