from pathlib import Path

import pytest

from bot.core.settings import ClinicSettings, SettingsError, load_settings

GOOD = """
clinic:
  name: Lakeside Spine Center
  phone: "(555) 123-4567"
  website: https://lakeside.example.com
  booking_url: https://lakeside.example.com/book
  emergency_number: "112"
  crisis_line: "116 123 (Samaritans)"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "clinic.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_the_yaml_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD), environ={})
    assert settings.name == "Lakeside Spine Center"
    assert settings.phone == "(555) 123-4567"
    assert settings.emergency_number == "112"
    assert settings.response_variables() == {
        "clinic_name": "Lakeside Spine Center",
        "clinic_phone": "(555) 123-4567",
        "clinic_website": "https://lakeside.example.com",
        "clinic_booking_url": "https://lakeside.example.com/book",
        "emergency_number": "112",
        "crisis_line": "116 123 (Samaritans)",
    }


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path, GOOD), environ={"CLINIC_NAME": "Hillview Clinic", "CLINIC_PHONE": "+44 20 7946 0000"}
    )
    assert settings.name == "Hillview Clinic"
    assert settings.phone == "+44 20 7946 0000"


def test_booking_link_falls_back_to_the_website(tmp_path: Path) -> None:
    text = GOOD.replace("  booking_url: https://lakeside.example.com/book\n", "")
    settings = load_settings(write(tmp_path, text), environ={})
    assert settings.booking_link == "https://lakeside.example.com"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"CLINIC_PHONE": "call us"}, "phone"),
        ({"CLINIC_PHONE": "12"}, "phone"),
        ({"CLINIC_WEBSITE": "not a url"}, "website"),
        ({"CLINIC_EMERGENCY_NUMBER": "dial now"}, "emergency_number"),
        ({"CLINIC_CRISIS_LINE": "a friend"}, "crisis_line"),
        ({"CLINIC_NAME": " x "}, "name"),
    ],
)
def test_a_bad_setting_is_a_clear_error(tmp_path: Path, change: dict, field: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(write(tmp_path, GOOD), environ=change)
    assert f"  - {field}" in str(error.value)


def test_unknown_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="fax"):
        load_settings(write(tmp_path, GOOD + "  fax: '555'\n"), environ={})


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.yml", environ={})


def test_broken_yaml_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_settings(write(tmp_path, "clinic: [unclosed"), environ={})


def test_the_shipped_demo_settings_are_valid() -> None:
    assert isinstance(load_settings(environ={}), ClinicSettings)


def test_a_phone_number_has_at_most_15_digits(tmp_path: Path) -> None:
    fifteen = GOOD.replace('"(555) 123-4567"', '"+1 555 123 4567 8901"')
    assert load_settings(write(tmp_path, fifteen), environ={}).phone == "+1 555 123 4567 8901"
    with pytest.raises(SettingsError, match="7 to 15 digits"):
        load_settings(write(tmp_path, GOOD.replace('"(555) 123-4567"', '"+1 555 123 4567 89012"')), environ={})


def test_a_file_that_is_not_a_mapping_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "- a list\n")
    with pytest.raises(SettingsError) as error:
        load_settings(path, environ={})
    assert str(error.value) == f"Clinic settings file '{path}' must be a mapping of settings."
    path = write(tmp_path, "clinic: just a string\n")
    with pytest.raises(SettingsError) as error:
        load_settings(path, environ={})
    assert str(error.value) == f"'clinic:' in '{path}' must be a mapping of settings."


def test_without_an_environment_given_the_process_environment_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_NAME", "Hillside Back Clinic")
    assert load_settings(write(tmp_path, GOOD)).name == "Hillside Back Clinic"


def test_every_problem_is_listed_on_its_own_line_with_its_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "clinic:\n  name: X\n  phone: call us\n  website: https://a.example.com\n")
    with pytest.raises(SettingsError) as error:
        load_settings(path, environ={})
    lines = str(error.value).split("\n")
    assert lines[0] == f"Invalid clinic settings in '{path}':"
    assert lines[1] == "  - name (or CLINIC_NAME): the clinic name must be 2 to 120 characters"
    assert lines[2].startswith("  - phone (or CLINIC_PHONE): 'call us' is not a phone number")
    assert len(lines) == 3
    with pytest.raises(SettingsError) as error:
        extra = GOOD.replace("  name: Lakeside Spine Center\n", "  name: Lakeside\n  colour: red\n")
        load_settings(write(tmp_path, extra), environ={})
    assert str(error.value).split("\n")[1] == "  - colour: extra fields not permitted"
