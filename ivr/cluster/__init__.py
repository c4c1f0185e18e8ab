"""A whole cluster on one machine, without containers: what ``make cluster`` starts and
the cluster tests run against — PostgreSQL, Redis, nginx and several ``ivr serve``."""
