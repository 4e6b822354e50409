"""Plans: the weekly runs, their review, overrides, approval and comparison."""
