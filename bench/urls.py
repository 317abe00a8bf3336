"""The site's URLs, with Application in Django admin at the benchmark's rows per page (registered plainly if
the project does not register it)."""

from django.contrib import admin

from applications.models import Application
from jiaxing_pilot.urls import urlpatterns  # noqa: F401 - served as they are

ROWS_PER_PAGE = 20

if Application not in admin.site._registry:
    admin.site.register(Application, admin.ModelAdmin)
admin.site._registry[Application].list_per_page = ROWS_PER_PAGE
