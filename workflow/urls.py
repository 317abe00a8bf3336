from django.urls import path

from . import views

app_name = "workflow"
urlpatterns = [
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
]
