from django.urls import path

from . import calendar_views, opinion_views, views

app_name = "workflow"
urlpatterns = [
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
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
]
