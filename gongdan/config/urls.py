from django.contrib import admin
from django.urls import include, path

from gongdan.config.api import api
from gongdan.core.views import favicon, healthz
from gongdan.web import auth

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("login/link/", auth.send_login_link, name="login-link-send"),
    path("login/verify/", auth.verify_second_factor, name="login-verify"),
    path("login/link/continue/", auth.continue_login_link, name="login-link-continue"),
    path("login/link/<str:token>/", auth.use_login_link, name="login-link"),
    path("account/", include("gongdan.accounts.urls")),
    path("desk/audit/", include("gongdan.audit.urls")),
    path("logout/", auth.logout_view, name="logout"),
    path("language/", auth.set_language, name="set-language"),
    path("desk/triage/", include("gongdan.triage.urls")),
    path("desk/routing/", include("gongdan.routing.urls")),
    path("desk/intake/", include("gongdan.intake.desk_urls")),
    path("desk/", include("gongdan.web.urls")),
    path("portal/", include("gongdan.portal.urls")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("feedback/", include("gongdan.feedback.urls")),
    path("help/", include("gongdan.intake.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
