"""The testing config's cheap password hashing stays out of production."""

from werkzeug.security import generate_password_hash

from insights_lms.auth.models import PASSWORD_METHOD
from insights_lms.config import load_settings


def test_production_and_development_hash_passwords_with_the_strong_scrypt():
    for env in ("production", "development"):
        method = load_settings({"INSIGHTS_ENV": env}).password_method
        assert method == PASSWORD_METHOD == "scrypt"
        assert generate_password_hash("a-password", method=method).startswith("scrypt:32768:8:1$")


def test_only_the_testing_config_lowers_the_scrypt_cost():
    method = load_settings({"INSIGHTS_ENV": "testing"}).password_method
    assert generate_password_hash("a-password", method=method).startswith("scrypt:1024:8:1$")
