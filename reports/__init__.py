"""项目实施's monitoring (quarterly reports and reminders, inspections and rectification, extension requests, the
pilot's clock) and the figures read from it (the dashboard and its snapshot, goals, time in stage, county pages)."""
