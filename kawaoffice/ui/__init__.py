"""KawaOffice Qt user interface."""
