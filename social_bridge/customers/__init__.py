"""Customers and cases: one person across channels, a case number to quote, and their history."""
