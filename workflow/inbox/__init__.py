"""The inbox: who a record waits on (assignments, work items, sync), 代理 (deputies), 我的待办 and the header's counts.
Imports the engine and accounts; never the audit, the services, the conventions or the ui."""
