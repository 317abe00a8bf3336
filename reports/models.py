"""The app's models, imported from where each capability keeps them: quarterly reports, inspections and
extensions (reports.monitoring), problems and support requests (reports.problems.models), guidance records
(reports.guidance.models), the dashboard's snapshot and goals (reports.dashboard.figures)."""

from reports.dashboard.goals import Goal
from reports.dashboard.models import DashboardSnapshot
from reports.guidance.models import GuidanceRecord
from reports.monitoring.extensions import ExtensionRequest
from reports.monitoring.inspections import Inspection, RectificationItem
from reports.monitoring.models import InstitutionalResult, QuarterlyReport, ReminderSent, ReportCount, TaskProgress
from reports.problems.models import ProblemItem

__all__ = [
    "DashboardSnapshot",
    "ExtensionRequest",
    "Goal",
    "GuidanceRecord",
    "Inspection",
    "InstitutionalResult",
    "ProblemItem",
    "QuarterlyReport",
    "RectificationItem",
    "ReminderSent",
    "ReportCount",
    "TaskProgress",
]
