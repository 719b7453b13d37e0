"""Responses compared member by member with those recorded from the real AWS KMS
(recorded/README.md says where they come from)."""

import datetime
import json
import pathlib
import re

import pytest
from botocore.exceptions import ClientError

RECORDED = json.loads((pathlib.Path(__file__).parent / "recorded" / "test_kms.snapshot.json").read_text())
PREFIX = "tests/aws/services/kms/test_kms.py::TestKMS::"


def recorded(test, name):
    return RECORDED[PREFIX + test]["recorded-content"][name]


def normalise(value):
    """What boto3 gives, in the recording's terms: datetimes are the word `datetime`."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, datetime.datetime):
        return "datetime"
    return value


def pattern(text):
    """A recorded string as a regular expression: placeholders match any value."""
    out = re.escape(text)
    out = re.sub(r"<[^<>]*>", ".+", out.replace(r"\<", "<").replace(r"\>", ">"))
    return "^" + out.replace("111111111111", r"\d{12}") + "$"


def assert_matches(ours, theirs, path="$"):
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), f"{path}: {ours!r} is not an object"
        theirs = {k: v for k, v in theirs.items() if k != "ResponseMetadata"}
        assert set(ours) == set(theirs), f"{path}: members {sorted(ours)} != recorded {sorted(theirs)}"
        for k in theirs:
            assert_matches(ours[k], theirs[k], f"{path}.{k}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), f"{path}: {ours!r} vs {theirs!r}"
        for i, (o, t) in enumerate(zip(ours, theirs)):
            assert_matches(o, t, f"{path}[{i}]")
    elif isinstance(theirs, str):
        assert isinstance(ours, str) and re.match(pattern(theirs), ours, re.S), f"{path}: {ours!r} does not match recorded {theirs!r}"
    else:
        assert ours == theirs, f"{path}: {ours!r} != recorded {theirs!r}"


def failure(call):
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response


def test_describe_key(kms):
    key_id = kms.create_key(Description="test key 123")["KeyMetadata"]["KeyId"]
    ours = normalise(kms.describe_key(KeyId=key_id)["KeyMetadata"])
    assert_matches(ours, recorded("test_create_key", "describe-key"))


def test_describe_key_errors(kms):
    missing = failure(lambda: kms.describe_key(KeyId="11111111-2222-3333-4444-555555555555"))
    assert_matches(normalise(missing), recorded("test_get_key_does_not_exist", "describe-nonexistent-key-with-id"))
    invalid = failure(lambda: kms.describe_key(KeyId="fake-key-id"))
    assert_matches(normalise(invalid), recorded("test_get_key_invalid_uuid", "describe-key-with-invalid-uuid"))


@pytest.mark.parametrize("n", [0, 1025])
def test_generate_random_limits(kms, n):
    got = failure(lambda: kms.generate_random(NumberOfBytes=n))
    assert_matches(normalise(got), recorded(f"test_generate_random_invalid_number_of_bytes[{n}]", "generate-random-exc"))


def test_plaintext_size(kms, key_id):
    got = failure(lambda: kms.encrypt(KeyId=key_id, Plaintext=b"x" * 4097))
    assert_matches(normalise(got), recorded("test_plaintext_size_for_encrypt", "invalid-plaintext-size-encrypt"))


def test_tag_errors(kms, key_id):
    dup = failure(lambda: kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "a", "TagValue": "1"}, {"TagKey": "a", "TagValue": "2"}]))
    assert_matches(normalise(dup), recorded("test_tag_key_with_duplicate_tag_keys_raises_error", "duplicate-tag-keys"))
    many = failure(lambda: kms.create_key(Tags=[{"TagKey": f"k{i}", "TagValue": "v"} for i in range(51)]))
    assert_matches(normalise(many), recorded("test_create_key_with_too_many_tags_raises_error", "invalid-tag-key"))


def test_rotation_status(kms, key_id):
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    assert_matches(normalise(kms.get_key_rotation_status(KeyId=key_id)), recorded("test_key_enable_rotation_status[90]", "match_response"))
