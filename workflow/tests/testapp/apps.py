"""The test-only workflow app (see the package docstring)."""

from django.apps import AppConfig


class TestAppConfig(AppConfig):
    name = "workflow.tests.testapp"
    label = "testapp"
    verbose_name = "测试流程"
