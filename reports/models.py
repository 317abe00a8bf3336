"""The app's models, imported from where each capability keeps them: quarterly reports, inspections and
extensions (reports.monitoring), the dashboard's snapshot and goals (reports.dashboard)."""

from reports.dashboard.goals import Goal
from reports.dashboard.models import DashboardSnapshot
from reports.monitoring.extensions import ExtensionRequest
from reports.monitoring.inspections import Inspection, RectificationItem
from reports.monitoring.models import InstitutionalResult, QuarterlyReport, ReminderSent, ReportCount, TaskProgress

__all__ = [
    "DashboardSnapshot",
    "ExtensionRequest",
    "Goal",
    "Inspection",
    "InstitutionalResult",
    "QuarterlyReport",
    "RectificationItem",
    "ReminderSent",
    "ReportCount",
    "TaskProgress",
]
