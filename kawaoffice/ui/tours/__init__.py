"""The tours tab."""
