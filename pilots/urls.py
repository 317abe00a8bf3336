from django.urls import path

from pilots import export_views, import_views, views
from pilots.experiences import views as experience_views

app_name = "pilots"
urlpatterns = [
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/export.xlsx", export_views.batch_export, name="batch_export"),
    path("batches/new/", views.batch_form, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/edit/", views.batch_form, name="batch_edit"),
    path("batches/<int:pk>/act/", views.batch_act, name="batch_act"),
    path("candidates/", views.candidate_list, name="candidate_list"),
    path("candidates/export.xlsx", export_views.candidate_export, name="candidate_export"),
    path("candidates/new/", views.candidate_propose, name="candidate_propose"),
    path("candidates/import/", import_views.candidate_import, name="candidate_import"),
    path("candidates/import/template.xlsx", import_views.candidate_import_template, name="candidate_import_template"),
    path("candidates/published/", views.published_list, name="published_list"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/act/", views.candidate_act, name="candidate_act"),
    path("", views.pilot_list, name="pilot_list"),
    path("export.xlsx", export_views.pilot_export, name="pilot_export"),
    path("<int:pk>/", views.pilot_detail, name="pilot_detail"),
    path("<int:pk>/act/", views.pilot_act, name="pilot_act"),
    path("<int:pk>/guidance-unit/", views.pilot_guidance, name="pilot_guidance"),
    path("<int:pk>/tolerance/", views.pilot_tolerance, name="pilot_tolerance"),
    path("decided/", views.decided_list, name="decided_list"),
    path("decided/export.xlsx", export_views.decided_export, name="decided_export"),
    # 嘉兴样本 (the case library), promotion and the bonus-point ledger: pilots/experience_views.py
    path("experiences/", experience_views.experience_list, name="experience_list"),
    path("experiences/export.xlsx", export_views.experience_export, name="experience_export"),
    path("experiences/new/", experience_views.experience_create, name="experience_create"),
    path("experiences/<int:pk>/", experience_views.experience_detail, name="experience_detail"),
    path("experiences/<int:pk>/edit/", experience_views.experience_edit, name="experience_edit"),
    path("experiences/<int:pk>/act/", experience_views.experience_act, name="experience_act"),
    path("experiences/<int:pk>/promotions/", experience_views.promotion_create, name="promotion_create"),
    path("bonus/", experience_views.bonus_ledger, name="bonus_ledger"),
    path("bonus/export.xlsx", experience_views.bonus_export, name="bonus_export"),
    path("bonus/print/", experience_views.bonus_print, name="bonus_print"),
    path("bonus/<int:pk>/", experience_views.bonus_detail, name="bonus_detail"),
    path("bonus/<int:pk>/act/", experience_views.bonus_act, name="bonus_act"),
    path("bonus/<int:pk>/correct/", experience_views.bonus_correct, name="bonus_correct"),
]
