"""Email: cases gained and lost, handovers, the weekly digest of alerts and failed runs."""
