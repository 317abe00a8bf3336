"""The engine: the base WorkflowModel, the transition log, versions, attachments, the audit hash chain, the outbox
(rows and their e-mail delivery), the registries, errors and files. Imports accounts only, no other workflow layer."""
