"""Shared workflow mechanics every stage reuses: transitions, log, versions, attachments, notifications."""
