"""PostgreSQL with the tenant scope set for each transaction (row-level security)."""
