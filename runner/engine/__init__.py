"""The rule engine: judges a migration against active element instances, like Zeebe."""
