import pytest

from service.settings import SettingsError, load_settings


def test_defaults_are_the_embedded_setup(tmp_path):
    settings = load_settings({"VAR_DIR": str(tmp_path)})
    assert settings.database_url == "sqlite:///var/probono.sqlite3"
    assert settings.redis_url is None and settings.smtp_url is None
    assert settings.port == 8000
    assert len(settings.secret_key) >= 32
    # the generated key is kept, so tokens survive a restart
    assert load_settings({"VAR_DIR": str(tmp_path)}).secret_key == settings.secret_key


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"DEMO_DATA": "maybe"}, "DEMO_DATA"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ADMIN_EMAIL": "a@b.c"}, "ADMIN_PASSWORD"),
    ],
)
def test_bad_values_name_the_variable(tmp_path, env, named):
    with pytest.raises(SettingsError, match=named):
        load_settings({"VAR_DIR": str(tmp_path), **env})
