"""Widgets and helpers shared by the tabs."""
