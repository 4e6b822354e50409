"""The one background-job mechanism."""
