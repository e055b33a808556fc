from __future__ import annotations

from kawaoffice.i18n import set_language
from kawaoffice.services.errors import (
    ConflictError,
    NotFoundError,
    ServiceError,
    StaleEditError,
    ValidationError,
)


def test_errors_carry_translated_messages_and_data() -> None:
    set_language("en")
    err = ValidationError("name_ja", "This field is required.")
    assert isinstance(err, ServiceError)
    assert err.field == "name_ja" and err.message == str(err) == "This field is required."
    conflict = ConflictError("dispatch_overlap", "overlap", {"staff_id": 1})
    assert (
        conflict.kind == "dispatch_overlap" and conflict.details == {"staff_id": 1} and conflict.overridable
    )
    assert "changed this record" in StaleEditError().message
    assert NotFoundError().message


def test_default_messages_follow_the_language() -> None:
    try:
        english = StaleEditError().message
        set_language("ja")
        japanese = StaleEditError().message
        assert japanese  # translated when the catalog has it, else the English text
        assert isinstance(japanese, str) and isinstance(english, str)
    finally:
        set_language("en")
