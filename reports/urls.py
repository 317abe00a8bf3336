from django.urls import path

from reports.dashboard import county_views
from reports.dashboard import views as dashboard_views
from reports.guidance import views as guidance_views
from reports.monitoring import export_views, extension_views, inspection_views, supervision_views, views
from reports.problems import views as problem_views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("export.xlsx", export_views.report_export, name="export"),
    path("quarter/", views.quarter_page, name="quarter"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/act/", views.report_act, name="act"),
    path("<int:pk>/print/", views.report_print, name="print"),
    path("inspections/", inspection_views.inspection_list, name="inspections"),
    path("inspections/items.xlsx", export_views.item_export, name="item_export"),
    path("inspections/new/", inspection_views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", inspection_views.inspection_detail, name="inspection"),
    path("items/<int:pk>/", inspection_views.item_detail, name="item"),
    path("items/<int:pk>/act/", inspection_views.item_act, name="item_act"),
    path("extensions/", extension_views.extension_list, name="extensions"),
    path("extensions/export.xlsx", export_views.extension_export, name="extension_export"),
    path("extensions/new/<int:pilot_pk>/", extension_views.extension_new, name="extension_new"),
    path("extensions/<int:pk>/", extension_views.extension_detail, name="extension"),
    path("extensions/<int:pk>/act/", extension_views.extension_act, name="extension_act"),
    # One county on one page, and every county side by side (reports/county_views.py).
    path("counties/", county_views.county_comparison, name="counties"),
    path("counties/export.xlsx", county_views.county_comparison_export, name="county_export"),
    path("counties/<int:pk>/", county_views.county_page, name="county"),
    # The dashboards (reports/dashboard_views.py): figures, time in stage, the goals the office keeps.
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("dashboard/time-in-stage/", dashboard_views.time_in_stage_page, name="time_in_stage"),
    path("dashboard/goals/", dashboard_views.goal_list, name="goals"),
    path("dashboard/goals/<int:pk>/", dashboard_views.goal_edit, name="goal_edit"),
    path("dashboard/goals/<int:pk>/delete/", dashboard_views.goal_delete, name="goal_delete"),
    path("dashboard/<slug:key>.xlsx", dashboard_views.dashboard_export, name="dashboard_export"),
    path("dashboard/time-in-stage/<slug:key>.xlsx", dashboard_views.time_in_stage_export, name="time_in_stage_export"),
    path("results/", dashboard_views.result_list, name="results"),
    # 存在问题、需市级支持事项 raised from applications, plans and reports, worked on until resolved (problem_views.py).
    path("problems/", problem_views.problem_list, name="problems"),
    path("problems/new/<slug:source>/<int:pk>/", problem_views.problem_new, name="problem_new"),
    path("problems/<int:pk>/", problem_views.problem_detail, name="problem"),
    path("problems/<int:pk>/act/", problem_views.problem_act, name="problem_act"),
    # 协调督促 of the special groups, 业务指导记录 of the guidance units.
    path("supervision/", supervision_views.supervision_page, name="supervision"),
    path("supervision/<slug:kind>/<int:pk>/urge/", supervision_views.supervision_urge, name="supervision_urge"),
    path("guidance/new/<int:pilot_pk>/", guidance_views.guidance_new, name="guidance_new"),
]
