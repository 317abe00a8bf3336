"""项目实施 and what is read from it, in two subpackages: monitoring (quarterly reports, inspections, extensions, the
clock) and dashboard (the dashboard, goals, time in stage, county pages). The top of the lifecycle: imports any app."""
