"""Exports: every list a manager would send onwards, as CSV and XLSX from its page (with the
page's filters and sort) and as JSON too on the command line, marked and audited."""
