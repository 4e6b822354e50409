"""Handovers: custody cases on their way from the POM to the COM, list by list."""
