"""经验推广: experiences (嘉兴样本), their promotion and the bonus-point ledger.
Imports pilots' own models and the core; later stages reach it only through its services and selectors."""
