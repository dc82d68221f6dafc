"""Settings resolve as cell option > %config > environment > built-in default."""

import pickle

import pytest

from aiml_magics.api.client import DEFAULT_BASE_URL, DEFAULT_MODEL
from aiml_magics.api.secret import Secret, key_from_environment
from aiml_magics.chat.settings import AimlSettings, check_range


def test_defaults_when_nothing_is_set():
    settings = AimlSettings()
    assert settings.resolve("model", {}) == (DEFAULT_MODEL, "default")
    assert settings.resolve("base_url", {}) == (DEFAULT_BASE_URL, "default")
    assert settings.default_params() == {}


def test_environment_beats_default_and_config_beats_environment():
    env = {"AIML_MODEL": "openai/gpt-4o", "AIMLAPI_API_BASE": "http://localhost:9/v1"}
    settings = AimlSettings()
    assert settings.resolve("model", env) == ("openai/gpt-4o", "environment AIML_MODEL")
    assert settings.resolve("base_url", env)[1] == "environment AIMLAPI_API_BASE"
    settings.model = "qwen/qwen3-32b"
    assert settings.resolve("model", env) == ("qwen/qwen3-32b", "%config")


def test_config_object_values_count_as_explicit_even_when_equal_to_default():
    from traitlets.config import Config

    config = Config()
    config.AimlSettings.model = DEFAULT_MODEL
    settings = AimlSettings(config=config)
    assert settings.resolve("model", {"AIML_MODEL": "other"}) == (DEFAULT_MODEL, "%config")


def test_generation_defaults_are_sent_only_when_set():
    settings = AimlSettings()
    settings.temperature = 0.5
    settings.seed = 7
    assert settings.default_params() == {"temperature": 0.5, "seed": 7}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("temperature", 2.5),
        ("temperature", float("nan")),
        ("top_p", 0),
        ("seed", 0),
        ("max_tokens", 0),
        ("seed", 1.5),
    ],
)
def test_out_of_range_values_are_refused(name, value):
    with pytest.raises(ValueError, match=name):
        check_range(name, value)


def test_key_environment_order():
    env = {"AIMLAPI_API_KEY": "second", "AIML_API_KEY": "first"}
    assert key_from_environment(env).reveal() == "first"
    assert key_from_environment({"AIMLAPI_API_KEY": "x"}).source == "environment AIMLAPI_API_KEY"
    assert key_from_environment({"AIML_API_KEY": "  "}) is None


def test_secret_never_shows_its_value():
    secret = Secret("sk-very-secret-value", "test")
    for text in (repr(secret), str(secret), f"{secret}", repr([secret])):
        assert "sk-very-secret-value" not in text
    with pytest.raises(TypeError):
        pickle.dumps(secret)
