"""Importing staff, cases, absences and reductions from spreadsheets, and their record sheets."""
