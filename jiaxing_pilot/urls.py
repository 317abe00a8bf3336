"""URL map: one include per app, each with its own namespace."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import health, views

admin.site.site_header = _("嘉兴市县域集成改革试点管理系统")
admin.site.site_title = _("试点管理后台")
admin.site.index_title = _("基础数据管理")

urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    # The administrators' consoles (三员分立) read the audit: workflow's, under the same prefix and names.
    path("accounts/", include("workflow.audit.security_views")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("workflow.urls")),
    path("pilots/", include("pilots.urls")),
    path("applications/", include("applications.urls")),
    path("plans/", include("reviews.urls")),
    path("reports/", include("reports.urls")),
]

# The 500 page shows the request id (jiaxing_pilot/requestlog.py).
handler500 = "jiaxing_pilot.requestlog.server_error"
