"""The pure domain: rules, policy, vocabulary, weeks, needs, clock: no Flask, no SQLAlchemy."""
