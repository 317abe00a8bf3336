"""Quarterly reports, inspections, dashboards and exports (later issues)."""
