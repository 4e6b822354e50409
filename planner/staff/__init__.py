"""Staff: practitioners, their absences and reductions, and their Workload %."""
