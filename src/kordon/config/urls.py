from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from kordon.access import views as access_views
from kordon.access.login import LoginForm
from kordon.config import views
from kordon.config.api import urls as api_urls
from kordon.core import health, offline

admin.site.site_header = settings.KORDON_NODE_NAME
admin.site.site_title = settings.KORDON_NODE_NAME

handler500 = "kordon.core.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/code/", access_views.login_code_view, name="login-code"),
    path("account/two-factor/", access_views.two_factor_view, name="two-factor"),
    path("i18n/setlang/", views.set_language_view, name="set_language"),
    path("offline/", offline.queue_view, name="offline"),
    path("offline/worker.js", offline.worker_view, name="offline-worker"),
    path("offline/token", offline.token_view, name="offline-token"),
    path("health/live", health.live_view, name="health-live"),
    path("health/ready", health.ready_view, name="health-ready"),
    path("seizures/", include("kordon.seizures.urls")),
    path("access/", include("kordon.access.urls")),
    path("exchange/", include("kordon.exchange.urls")),
    path("entities/", include("kordon.entities.urls")),
    path("targeting/", include("kordon.targeting.urls")),
    path("prisons/", include("kordon.prisons.urls")),
    path("cooperation/", include("kordon.cooperation.urls")),
    path("cases/", include("kordon.cases.urls")),
    path("evaluation/", include("kordon.evaluation.urls")),
    path("analytics/", include("kordon.analytics.urls")),
    path("federation/", include("kordon.federation.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls),
]
