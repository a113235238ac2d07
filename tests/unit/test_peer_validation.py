"""The checks challenges and case studies share (insights_lms.peer.validation)."""

from __future__ import annotations

import pytest

from insights_lms.peer import validation
from insights_lms.peer.validation import PeerError, checked_text, checked_title


def test_a_title_is_trimmed_and_must_be_there_and_short():
    assert checked_title("  Restructuring the SEND team ") == "Restructuring the SEND team"
    with pytest.raises(PeerError) as empty:
        checked_title("   ")
    assert (empty.value.message, empty.value.field) == ("Give it a title.", "title")
    with pytest.raises(PeerError) as long:
        checked_title("x" * (validation.MAX_TITLE + 1))
    assert long.value.field == "title"


def test_a_text_is_trimmed_and_refused_when_missing_or_over_its_limit():
    assert checked_text(" ok ", "context", "Describe it.") == "ok"
    assert checked_text("", "answer", None) == ""
    with pytest.raises(PeerError) as missing:
        checked_text(" ", "context", "Describe it.")
    assert (missing.value.message, missing.value.field) == ("Describe it.", "context")
    with pytest.raises(PeerError) as long:
        checked_text("x" * 11, "text", None, limit=10)
    assert long.value.message == "Keep this to 10 characters."
