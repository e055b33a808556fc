"""The projects tab."""
