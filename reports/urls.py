from django.urls import path

from . import extension_views, inspection_views, views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("quarter/", views.quarter_page, name="quarter"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/act/", views.report_act, name="act"),
    path("<int:pk>/print/", views.report_print, name="print"),
    path("inspections/", inspection_views.inspection_list, name="inspections"),
    path("inspections/new/", inspection_views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", inspection_views.inspection_detail, name="inspection"),
    path("items/<int:pk>/", inspection_views.item_detail, name="item"),
    path("items/<int:pk>/act/", inspection_views.item_act, name="item_act"),
    path("extensions/", extension_views.extension_list, name="extensions"),
    path("extensions/new/<int:pilot_pk>/", extension_views.extension_new, name="extension_new"),
    path("extensions/<int:pk>/", extension_views.extension_detail, name="extension"),
    path("extensions/<int:pk>/act/", extension_views.extension_act, name="extension_act"),
]
