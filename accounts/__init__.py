"""Users, organisational units and role memberships: who may act for which unit."""
