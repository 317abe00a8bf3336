"""项目实施's monitoring: quarterly reports and reminders, inspections and rectification, extension requests, the
pilot's clock. Imports reviews, applications, pilots (services and selectors) and the core; never reports.dashboard."""
