from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("quarter/", views.quarter_page, name="quarter"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/act/", views.report_act, name="act"),
    path("<int:pk>/print/", views.report_print, name="print"),
]
