from django.urls import path

from . import export_views, views

app_name = "reviews"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("export.xlsx", export_views.plan_export, name="export"),
    path("new/", views.plan_start, name="start"),
    path("references/", views.reference_list, name="references"),
    path("references/template.xlsx", views.reference_template, name="reference_template"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/tasks/", views.plan_tasks, name="tasks"),
    path("<int:pk>/act/", views.plan_act, name="act"),
    path("<int:pk>/consult/", views.plan_consult, name="consult"),
    path("<int:pk>/opinions/<int:opinion_pk>/", views.plan_opinion, name="opinion"),
    path("<int:pk>/opinions/<int:opinion_pk>/answer/", views.answer_opinion, name="answer_opinion"),
    path("<int:pk>/flags/<int:flag_pk>/answer/", views.answer_flag, name="answer_flag"),
    path("<int:pk>/print/", views.plan_print, name="print"),
    path("<int:pk>/versions/<int:number>/", views.plan_compare, name="compare"),
    path("<int:pk>/opinions/summary/", views.plan_summary, name="summary"),
    path("<int:pk>/opinions/summary.xlsx", views.plan_summary_xlsx, name="summary_xlsx"),
]
