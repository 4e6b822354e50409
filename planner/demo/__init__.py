"""Synthetic, plausible demo data: no real person is ever named."""
