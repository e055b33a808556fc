"""The dispatch tab."""
