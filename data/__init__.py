"""Shipped data: the default tag taxonomy and the demo line definition."""
