"""The partners tab."""
