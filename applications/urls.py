from django.urls import path

from . import export_views, recommendation_views, views

app_name = "applications"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("export.xlsx", export_views.application_export, name="export"),
    path("new/", views.application_start, name="start"),
    path("batches/<int:batch_pk>/recommendations/", recommendation_views.recommendation_list, name="recommendations"),
    path(
        "batches/<int:batch_pk>/recommendations/send/",
        recommendation_views.recommendation_send,
        name="recommendation_send",
    ),
    path(
        "batches/<int:batch_pk>/recommendations/decide/",
        recommendation_views.recommendation_decide,
        name="recommendation_decide",
    ),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/edit/", views.application_edit, name="edit"),
    path("<int:pk>/act/", views.application_act, name="act"),
    path("<int:pk>/versions/<int:number>/", views.application_diff, name="diff"),
    path("<int:pk>/print/", views.application_print, name="print"),
    path("<int:pk>/attachments/<int:attachment_pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
