"""The site's URLs plus the benchmark's references: Django admin's change lists of Application, Pilot and
QuarterlyReport, each registered with an ordinary ModelAdmin (the columns our list of it shows, 20 rows a page
like our lists, nothing tuned) on its own AdminSite at /bench-admin/ (the goals' references), and for comparison
the project's own tuned support-staff admin of applications (applications/admin.py: list_select_related,
filters, search) at the same 20 rows on /bench-tuned-admin/."""

from django.contrib import admin
from django.urls import path

from applications.admin import ApplicationAdmin
from applications.models import Application
from jiaxing_pilot.urls import urlpatterns as site_urlpatterns
from pilots.models import Pilot
from reports.monitoring.models import QuarterlyReport

ROWS_PER_PAGE = 20


class PlainApplicationAdmin(admin.ModelAdmin):
    # The application list's columns: name, county, batch, lead group, state, last change.
    list_display = ["project_name", "county", "batch", "candidate__lead_group", "status", "updated_at"]
    list_per_page = ROWS_PER_PAGE


class PlainPilotAdmin(admin.ModelAdmin):
    # The pilot list's columns: name, county, batch, special group, guidance unit, stage.
    list_display = ["title", "county", "batch", "special_group", "guidance_unit", "status"]
    list_per_page = ROWS_PER_PAGE


class PlainReportAdmin(admin.ModelAdmin):
    # The report list's columns: period, pilot, county, due date, state (timeliness is computed on our side).
    list_display = ["year", "quarter", "pilot", "county", "due_on", "status"]
    list_per_page = ROWS_PER_PAGE


class TunedApplicationAdmin(ApplicationAdmin):
    list_per_page = ROWS_PER_PAGE


bench_admin = admin.AdminSite(name="bench_admin")
bench_admin.register(Application, PlainApplicationAdmin)
bench_admin.register(Pilot, PlainPilotAdmin)
bench_admin.register(QuarterlyReport, PlainReportAdmin)
bench_tuned_admin = admin.AdminSite(name="bench_tuned_admin")
bench_tuned_admin.register(Application, TunedApplicationAdmin)

urlpatterns = [
    path("bench-admin/", bench_admin.urls),
    path("bench-tuned-admin/", bench_tuned_admin.urls),
    *site_urlpatterns,
]
