"""The alerts pages and command: every case or person that cannot be covered safely."""
