"""Clinic settings: one validated model, read from a YAML file and the environment.

Every message that mentions the clinic (its name, phone, website, booking link,
the emergency number or the crisis line) is filled from these settings by
``bot.rasa_ext.nlg.ClinicResponseGenerator``. A bad setting stops start-up with a clear
message (``SettingsError``), so a clinic never goes live with a wrong number.

Precedence: environment variables (``CLINIC_NAME`` ...) over the YAML file
(``CLINIC_SETTINGS``, default ``clinic.yml`` in the project root).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

import yaml
from pydantic import BaseModel, Extra, HttpUrl, ValidationError, validator

from bot import PROJECT_ROOT

SETTINGS_FILE_ENV = "CLINIC_SETTINGS"
DEFAULT_SETTINGS_FILE = PROJECT_ROOT / "clinic.yml"

# field name -> environment variable that overrides it
ENV_VARS: Dict[str, str] = {
    "name": "CLINIC_NAME",
    "phone": "CLINIC_PHONE",
    "website": "CLINIC_WEBSITE",
    "booking_url": "CLINIC_BOOKING_URL",
    "emergency_number": "CLINIC_EMERGENCY_NUMBER",
    "crisis_line": "CLINIC_CRISIS_LINE",
}

_PHONE_CHARS = re.compile(r"^[0-9+()\-./ ]+$")


class SettingsError(Exception):
    """The clinic settings are missing or invalid; the message says what to fix."""


def _check_phone(value: str, *, min_digits: int) -> str:
    value = " ".join(value.split())
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE_CHARS.match(value) or digits < min_digits or digits > 15:
        raise ValueError(
            f"'{value}' is not a phone number (use digits, spaces, + ( ) - . /; "
            f"{min_digits} to 15 digits)"
        )
    return value


class ClinicSettings(BaseModel):
    """What the assistant says about the clinic it works for."""

    name: str
    phone: str
    website: HttpUrl
    booking_url: Optional[HttpUrl] = None
    emergency_number: str = "911"
    crisis_line: str = "988 (Suicide & Crisis Lifeline, call or text)"

    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True
        allow_mutation = False

    @validator("name")
    def _name_not_blank(cls, value: str) -> str:  # noqa: N805 (pydantic)
        value = " ".join(value.split())
        if not 2 <= len(value) <= 120:
            raise ValueError("the clinic name must be 2 to 120 characters")
        return value

    @validator("phone")
    def _phone(cls, value: str) -> str:  # noqa: N805
        return _check_phone(value, min_digits=7)

    @validator("emergency_number")
    def _emergency(cls, value: str) -> str:  # noqa: N805
        return _check_phone(value, min_digits=3)

    @validator("crisis_line")
    def _crisis(cls, value: str) -> str:  # noqa: N805
        value = " ".join(value.split())
        if not any(ch.isdigit() for ch in value) or len(value) > 160:
            raise ValueError("the crisis line must contain a number to call or text")
        return value

    @property
    def booking_link(self) -> str:
        """Where a patient books: the booking link, or the website without one."""
        return str(self.booking_url or self.website)

    def response_variables(self) -> Dict[str, str]:
        """The placeholders that domain responses may use."""
        return {
            "clinic_name": self.name,
            "clinic_phone": self.phone,
            "clinic_website": str(self.website),
            "clinic_booking_url": self.booking_link,
            "emergency_number": self.emergency_number,
            "crisis_line": self.crisis_line,
        }


def _read_yaml(path: Path) -> Dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(
            f"Clinic settings file '{path}' does not exist. Create it (see "
            f"clinic.yml in the project) or point {SETTINGS_FILE_ENV} to it."
        ) from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"Clinic settings file '{path}' is not valid YAML: {exc}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SettingsError(f"Clinic settings file '{path}' must be a mapping of settings.")
    clinic = raw.get("clinic", raw)
    if not isinstance(clinic, dict):
        raise SettingsError(f"'clinic:' in '{path}' must be a mapping of settings.")
    return dict(clinic)


def load_settings(
    path: Optional[Path] = None, environ: Optional[Mapping[str, str]] = None
) -> ClinicSettings:
    """Read, merge and validate the clinic settings, or raise ``SettingsError``."""
    env = os.environ if environ is None else environ
    if path is None:
        path = Path(env.get(SETTINGS_FILE_ENV) or DEFAULT_SETTINGS_FILE)
    values = _read_yaml(Path(path))
    for field, var in ENV_VARS.items():
        if env.get(var, "").strip():
            values[field] = env[var]
    try:
        return ClinicSettings(**values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            hint = f" (or {ENV_VARS[field]})" if field in ENV_VARS else ""
            problems.append(f"  - {field}{hint}: {error['msg']}")
        raise SettingsError(
            f"Invalid clinic settings in '{path}':\n" + "\n".join(problems)
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> ClinicSettings:
    """The process-wide settings, loaded on first use (never at import)."""
    return load_settings()
