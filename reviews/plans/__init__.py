"""试点方案: the plan with its task list, risk and legality sections, the stacking check, consultation, office
review and committee approval. Imports pilots, applications and the core; never reviews.evaluation or reports."""
