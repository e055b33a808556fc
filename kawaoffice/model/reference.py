"""Reference code lists that are standards, not office data: SDG 6 targets, OECD DAC sectors, IATI codes.

Texts are marked with ``N_`` and translated where shown; the stored value is always the code.
"""

from __future__ import annotations

import enum

from kawaoffice.i18n import N_

# SDG 6 targets (texts follow the Japanese government's provisional translation quoted in the Kawasaki seed).
SDG6_TARGETS: dict[str, str] = {
    "6.1": N_(
        "By 2030, achieve universal and equitable access to safe and affordable drinking water for all"
    ),
    "6.2": N_(
        "By 2030, achieve access to adequate and equitable sanitation and hygiene for all and end open defecation"
    ),
    "6.3": N_(
        "By 2030, improve water quality by reducing pollution and halving the proportion of untreated wastewater"
    ),
    "6.4": N_("By 2030, substantially increase water-use efficiency across all sectors"),
    "6.5": N_("By 2030, implement integrated water resources management at all levels"),
    "6.6": N_("By 2020, protect and restore water-related ecosystems"),
    "6.a": N_(
        "By 2030, expand international cooperation and capacity-building support to developing countries"
    ),
    "6.b": N_(
        "Support and strengthen the participation of local communities in improving water and sanitation management"
    ),
}

# OECD DAC 5-digit purpose codes used by the office.
DAC_SECTORS: dict[str, str] = {
    "14010": N_("Water sector policy and administrative management"),
    "14015": N_("Water resources conservation"),
    "14020": N_("Water supply and sanitation - large systems"),
    "14021": N_("Water supply - large systems"),
    "14022": N_("Sanitation - large systems"),
    "14030": N_("Basic drinking water supply and basic sanitation"),
    "14031": N_("Basic drinking water supply"),
    "14032": N_("Basic sanitation"),
    "14040": N_("River basins development"),
    "14050": N_("Waste management/disposal"),
    "14081": N_("Education and training in water supply and sanitation"),
}


class IatiActivityStatus(enum.IntEnum):
    PIPELINE = 1
    IMPLEMENTATION = 2
    FINALISATION = 3
    CLOSED = 4
    CANCELLED = 5
    SUSPENDED = 6


IATI_ACTIVITY_STATUS_LABELS: dict[int, str] = {
    1: N_("Pipeline/identification"),
    2: N_("Implementation"),
    3: N_("Finalisation"),
    4: N_("Closed"),
    5: N_("Cancelled"),
    6: N_("Suspended"),
}


class IatiOrganisationRole(enum.IntEnum):
    FUNDING = 1
    ACCOUNTABLE = 2
    EXTENDING = 3
    IMPLEMENTING = 4


IATI_ORGANISATION_ROLE_LABELS: dict[int, str] = {
    1: N_("Funding"),
    2: N_("Accountable"),
    3: N_("Extending"),
    4: N_("Implementing"),
}
