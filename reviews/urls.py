from django.urls import path

from reviews.evaluation import views as evaluation_views
from reviews.plans import export_views, views

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
    # 总结评估: self-evaluation, evaluation, summary
    path("evaluations/", evaluation_views.evaluation_list, name="evaluation_list"),
    path("self-evaluations/new/", evaluation_views.self_evaluation_start, name="self_evaluation_start"),
    path("self-evaluations/<int:pk>/", evaluation_views.self_evaluation_detail, name="self_evaluation"),
    path("self-evaluations/<int:pk>/edit/", evaluation_views.self_evaluation_edit, name="self_evaluation_edit"),
    path("self-evaluations/<int:pk>/act/", evaluation_views.self_evaluation_act, name="self_evaluation_act"),
    path(
        "self-evaluations/<int:pk>/attachments/<int:attachment_pk>/delete/",
        evaluation_views.self_evaluation_attachment_delete,
        name="self_evaluation_attachment_delete",
    ),
    path("evaluations/<int:pk>/", evaluation_views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/act/", evaluation_views.evaluation_act, name="evaluation_act"),
    path("evaluations/<int:pk>/evaluators/", evaluation_views.evaluation_assign, name="evaluation_assign"),
    path(
        "evaluations/<int:pk>/evaluators/<int:user_pk>/remove/",
        evaluation_views.evaluation_remove,
        name="evaluation_remove",
    ),
    path("evaluations/<int:pk>/score/", evaluation_views.evaluation_score, name="evaluation_score"),
    path("evaluations/<int:pk>/summary/", evaluation_views.evaluation_summary, name="evaluation_summary"),
    path("evaluations/<int:pk>/comment/", evaluation_views.evaluation_comment, name="evaluation_comment"),
    path("evaluations/<int:pk>/print/", evaluation_views.evaluation_print, name="evaluation_print"),
]
