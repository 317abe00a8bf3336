"""The audit: AuditEvent rows (logins, denials, exports, accounts' announced security events), the hash chain's
checks and purge, and the administrators' consoles that read them. Imports the engine and accounts only."""
