from django.urls import path

from .ui import calendar_views, convention_views, export_views, opinion_views, views

app_name = "workflow"
urlpatterns = [
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("inbox/export.xlsx", export_views.inbox_export, name="inbox_export"),
    path("opinions/<int:pk>/", opinion_views.opinion_detail, name="opinion"),
    path("opinions/<int:pk>/cancel/", opinion_views.opinion_cancel_view, name="opinion_cancel"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    # 我的日程: the calendar page and the personal ICS feed
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/feed/", calendar_views.calendar_feed_create, name="calendar_feed_create"),
    path("calendar/feed/revoke/", calendar_views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/<str:token>.ics", calendar_views.calendar_ics, name="calendar_ics"),
    # the approval conventions (workflow.conventions): a record is named by its workflow key and id
    path("records/<slug:workflow>/<int:pk>/recall/", convention_views.record_recall, name="recall"),
    path("records/<slug:workflow>/<int:pk>/opened/", convention_views.record_opened, name="opened"),
    path("records/<slug:workflow>/<int:pk>/return/", convention_views.record_return, name="return_to_step"),
    path("records/<slug:workflow>/<int:pk>/urge/", convention_views.record_urge, name="urge"),
    path("records/<slug:workflow>/<int:pk>/copy/", convention_views.record_copy, name="copy"),
    path("records/<slug:workflow>/<int:pk>/sheet/", convention_views.record_sheet, name="sheet"),
    path("records/<slug:workflow>/batch/", convention_views.batch, name="batch"),
    path("copies/", convention_views.copy_list, name="copies"),
    path("copies/<int:pk>/open/", convention_views.copy_open, name="copy_open"),
    path("phrases/", convention_views.phrase_add, name="phrase_add"),
    path("phrases/<int:pk>/delete/", convention_views.phrase_delete, name="phrase_delete"),
    path("deputies/", convention_views.deputy_add, name="deputy_add"),
    path("deputies/<int:pk>/cancel/", convention_views.deputy_cancel, name="deputy_cancel"),
]
