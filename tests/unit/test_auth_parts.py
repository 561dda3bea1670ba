"""Password hashing, CSRF tokens and settings parsing."""

from __future__ import annotations

import pytest

from server.auth import csrf
from server.auth.passwords import hash_password, verify_password
from server.settings import Settings


def test_passwords_use_argon2id_and_verify() -> None:
    stored = hash_password("correct-horse")
    assert stored.startswith("$argon2id$")
    assert "m=" in stored  # memory-hard: a memory cost is part of the hash
    assert verify_password(stored, "correct-horse")
    assert not verify_password(stored, "wrong")
    assert not verify_password(None, "correct-horse")
    assert not verify_password("garbage", "correct-horse")


def test_csrf_token_is_bound_to_the_session() -> None:
    key = b"k"
    token = csrf.make_token(key, "session-a")
    assert csrf.token_is_valid(key, "session-a", token, token)
    assert not csrf.token_is_valid(key, "session-b", token, token)  # planted from another session
    assert not csrf.token_is_valid(key, "session-a", token, token + "x")
    assert not csrf.token_is_valid(key, "session-a", None, token)
    assert not csrf.token_is_valid(b"other", "session-a", token, token)


def test_settings_defaults_and_bad_values(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_env({}, data_dir=str(tmp_path))
    assert settings.database_url.startswith("sqlite:///") and settings.number_ttl == 600
    assert settings.max_participants == 4 and settings.grace_period == 30
    assert (tmp_path / "secret.key").exists()
    assert Settings.from_env({}, data_dir=str(tmp_path)).secret_key == settings.secret_key
    with pytest.raises(ValueError, match="MENDAN_ICE_SERVERS"):
        Settings.from_env({"MENDAN_ICE_SERVERS": "{oops"}, data_dir=str(tmp_path))
    with pytest.raises(ValueError, match="MENDAN_GUESS_LIMIT"):
        Settings.from_env({"MENDAN_GUESS_LIMIT": "ten"}, data_dir=str(tmp_path))
    ice = Settings.from_env(
        {"MENDAN_ICE_SERVERS": '[{"urls": ["stun:127.0.0.1:3478"]}]'}, data_dir=str(tmp_path)
    )
    assert ice.ice_servers[0].urls == ["stun:127.0.0.1:3478"]
