"""试点方案 (reviews.plans) and 总结评估 (reviews.evaluation). Imports applications, pilots and the core; never
reports (extension requests live there)."""
