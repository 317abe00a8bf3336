"""The figures read from everything else: the dashboard and its snapshot, goals, time in stage, the county pages.
Imports reports.monitoring, the earlier stages' selectors and the core; nothing imports it but views and tasks."""
