"""Tags, rotation and Regions compared member by member with the responses recorded from the
real AWS KMS (recorded/README.md says where they come from): each test repeats the calls of
one recorded entry and checks Coffer's answers against it. Where a placeholder stands for a
value the test knows (the key's ARN, the Region), the test puts that value in before comparing.

Multi-Region keys are not covered: Coffer answers CreateKey with MultiRegion=True and
ReplicateKey with UnsupportedOperationException, so `test_create_multi_region_key`,
`test_replicate_key` and `test_replicate_replica_key_should_fail` cannot be repeated."""

import base64
import time

import pytest

from conftest import ACCOUNT, REGION
from test_recorded import assert_matches, failure, normalise, recorded

OTHER_REGION = "us-west-2"
MESSAGE = b"test message 123 !%$@ 1234567890"
# The recording's test refused the 11th rotation (AWS's limit was then 10); the AWS KMS Developer
# Guide ("Perform on-demand key rotation") now gives 25 on-demand rotations a key.
ON_DEMAND_ROTATION_LIMIT = 25


def tags(**pairs):
    return [{"TagKey": k, "TagValue": v} for k, v in pairs.items()]


def filled(theirs, values):
    """A recording with the placeholders whose value the test knows replaced by that value."""
    if isinstance(theirs, dict):
        return {k: filled(v, values) for k, v in theirs.items()}
    if isinstance(theirs, list):
        return [filled(v, values) for v in theirs]
    if isinstance(theirs, str):
        for placeholder, value in values.items():
            theirs = theirs.replace(placeholder, value)
    return theirs


def arn_values(arn):
    return {"<key-arn>": arn}


def create(kms, **kw):
    return kms.create_key(Description="test key 123", KeyUsage="ENCRYPT_DECRYPT", **kw)["KeyMetadata"]


def rotation_settled(kms, key_id):
    """Waits (as the recording's test does) until no on-demand rotation is in progress."""
    deadline = time.time() + 10
    while "OnDemandRotationStartDate" in kms.get_key_rotation_status(KeyId=key_id):
        assert time.time() < deadline, "on-demand rotation still in progress"
        time.sleep(0.2)


# ---------------------------------------------------------------------------------------
# Tags


def test_tag_existing_key_and_untag(kms):
    entry = "test_tag_existing_key_and_untag"
    key_id = create(kms)["KeyId"]
    kms.tag_resource(KeyId=key_id, Tags=tags(tag1="value1", tag2="value2"))
    assert_matches(kms.list_resource_tags(KeyId=key_id)["Tags"], recorded(entry, "list-resource-tags"))
    kms.untag_resource(KeyId=key_id, TagKeys=["tag1", "tag2"])
    assert_matches(kms.list_resource_tags(KeyId=key_id)["Tags"], recorded(entry, "list-resource-tags-after-all-untagged"))


def test_create_key_with_tag_and_untag(kms):
    entry = "test_create_key_with_tag_and_untag"
    key_id = create(kms, Tags=tags(tag1="value1", tag2="value2"))["KeyId"]
    assert_matches(kms.list_resource_tags(KeyId=key_id)["Tags"], recorded(entry, "list-resource-tags"))
    kms.untag_resource(KeyId=key_id, TagKeys=["tag1", "tag2"])
    assert_matches(kms.list_resource_tags(KeyId=key_id)["Tags"], recorded(entry, "list-resource-tags-after-all-untagged"))


def test_untag_key_partially(kms):
    entry = "test_untag_key_partially"
    key_id = create(kms, Tags=tags(tag1="value1", tag2="value2", tag3="value3"))["KeyId"]
    assert_matches(kms.list_resource_tags(KeyId=key_id)["Tags"], recorded(entry, "list-resource-tags"))
    kms.untag_resource(KeyId=key_id, TagKeys=["tag2"])
    assert_matches(kms.list_resource_tags(KeyId=key_id)["Tags"],
                   recorded(entry, "list-resource-tags-after-partially-untagged"))


def test_update_and_add_tags_on_tagged_key(kms):
    entry = "test_update_and_add_tags_on_tagged_key"
    key_id = create(kms, Tags=tags(tag1="value1", tag2="value2", tag3="value3"))["KeyId"]
    assert_matches(kms.list_resource_tags(KeyId=key_id)["Tags"], recorded(entry, "list-resource-tags"))
    kms.tag_resource(KeyId=key_id, Tags=tags(tag4="value4", tag2="updated_value2", tag5="value5"))
    assert_matches(kms.list_resource_tags(KeyId=key_id)["Tags"], recorded(entry, "list-resource-tags-after-tags-updated"))


def test_tag_existing_key_with_invalid_tag_key(kms):
    key_id = create(kms)["KeyId"]
    got = failure(lambda: kms.tag_resource(KeyId=key_id, Tags=tags(**{"aws:key1": "value1"})))
    assert_matches(normalise(got), recorded("test_tag_existing_key_with_invalid_tag_key", "invalid-tag-key"))
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == []


def test_key_with_long_tag_value_raises_error(kms):
    got = failure(lambda: create(kms, Tags=tags(tag1="v" * 257)))
    assert_matches(normalise(got), recorded("test_key_with_long_tag_value_raises_error", "too-long-tag-value"))


@pytest.mark.parametrize("case,tag_key", [("lowercase_prefix", "aws:key1"), ("uppercase_prefix", "AWS:key1"),
                                          ("too_long_key", "a" * 129)])
def test_create_key_with_invalid_tag_key(kms, case, tag_key):
    got = failure(lambda: create(kms, Tags=tags(**{tag_key: "value1"})))
    assert_matches(normalise(got), recorded(f"test_create_key_with_invalid_tag_key[{case}]", "invalid-tag-key"))


# ---------------------------------------------------------------------------------------
# Rotation


def test_key_enable_rotation_status_180(kms, key_id):
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=180)
    assert_matches(normalise(kms.get_key_rotation_status(KeyId=key_id)),
                   recorded("test_key_enable_rotation_status[180]", "match_response"))


def test_rotate_key_on_demand_modifies_key_material(kms):
    key_id = create(kms, KeySpec="SYMMETRIC_DEFAULT")["KeyId"]
    args = {"KeyId": key_id, "Plaintext": base64.b64encode(MESSAGE), "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}
    before = kms.encrypt(**args)["CiphertextBlob"]
    material = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    rotated = kms.rotate_key_on_demand(KeyId=key_id)
    assert_matches(normalise(rotated), recorded("test_rotate_key_on_demand_modifies_key_material",
                                                "rotate-on-demand-response"))
    # New material encrypts from now on; what the old one sealed still opens.
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"] != material
    after = kms.encrypt(**args)
    assert kms.decrypt(CiphertextBlob=after["CiphertextBlob"])["KeyMaterialId"] != material
    assert kms.decrypt(CiphertextBlob=before)["KeyMaterialId"] == material


def test_rotate_key_on_demand_with_automatic_rotation_disabled(kms, key_id):
    entry = "test_rotate_key_on_demand_with_symmetric_key_and_automatic_rotation_disabled"
    assert_matches(normalise(kms.rotate_key_on_demand(KeyId=key_id)), recorded(entry, "rotate-on-demand-response"))
    rotation_settled(kms, key_id)
    assert_matches(normalise(kms.get_key_rotation_status(KeyId=key_id)),
                   recorded(entry, "rotation-status-response-after-rotation"))


def test_rotate_key_on_demand_with_automatic_rotation_enabled(kms, key_id):
    entry = "test_rotate_key_on_demand_with_symmetric_key_and_automatic_rotation_enabled"
    kms.enable_key_rotation(KeyId=key_id)
    before = kms.get_key_rotation_status(KeyId=key_id)
    assert_matches(normalise(kms.rotate_key_on_demand(KeyId=key_id)), recorded(entry, "rotate-on-demand-response"))
    assert kms.get_key_rotation_status(KeyId=key_id)["NextRotationDate"] == before["NextRotationDate"]
    rotation_settled(kms, key_id)
    assert_matches(normalise(kms.get_key_rotation_status(KeyId=key_id)),
                   recorded(entry, "rotation-status-response-after-rotation"))


def test_rotate_key_on_demand_raises_error_given_key_is_disabled(kms):
    # An RSA key: being disabled is reported before the key spec.
    key = create(kms, KeySpec="RSA_4096")
    kms.disable_key(KeyId=key["KeyId"])
    got = failure(lambda: kms.rotate_key_on_demand(KeyId=key["KeyId"]))
    theirs = recorded("test_rotate_key_on_demand_raises_error_given_key_is_disabled", "error-response")
    assert_matches(normalise(got), filled(theirs, arn_values(key["Arn"])))


def test_rotate_key_on_demand_raises_error_given_key_that_does_not_exist(kms):
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    got = failure(lambda: kms.rotate_key_on_demand(KeyId=key_id))
    theirs = recorded("test_rotate_key_on_demand_raises_error_given_key_that_does_not_exist", "error-response")
    assert_matches(normalise(got), filled(theirs, arn_values(f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}")))


def test_rotate_key_on_demand_raises_error_given_non_symmetric_key(kms):
    key_id = create(kms, KeySpec="RSA_4096")["KeyId"]
    got = failure(lambda: kms.rotate_key_on_demand(KeyId=key_id))
    theirs = recorded("test_rotate_key_on_demand_raises_error_given_non_symmetric_key", "error-response")
    assert_matches(normalise(got), theirs)


def test_key_rotations_encryption_decryption(kms):
    key_id = create(kms, KeySpec="SYMMETRIC_DEFAULT")["KeyId"]
    args = {"KeyId": key_id, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}
    ciphertext = kms.encrypt(Plaintext=base64.b64encode(MESSAGE), **args)["CiphertextBlob"]
    before = kms.decrypt(CiphertextBlob=ciphertext, **args)["Plaintext"]
    kms.rotate_key_on_demand(KeyId=key_id)
    assert kms.decrypt(CiphertextBlob=ciphertext, **args)["Plaintext"] == before
    got = failure(lambda: kms.decrypt(CiphertextBlob=ciphertext + b"bad_data", **args))
    assert_matches(normalise(got), recorded("test_key_rotations_encryption_decryption", "bad-ciphertext"))


def test_key_rotations_limits(kms):
    key = create(kms, KeySpec="SYMMETRIC_DEFAULT")
    for _ in range(ON_DEMAND_ROTATION_LIMIT):
        kms.rotate_key_on_demand(KeyId=key["KeyId"])
        rotation_settled(kms, key["KeyId"])
    got = failure(lambda: kms.rotate_key_on_demand(KeyId=key["KeyId"]))
    assert_matches(normalise(got), filled(recorded("test_key_rotations_limits", "error-response"), arn_values(key["Arn"])))


def test_rotate_on_demand_returns_arn_for_key_id(kms):
    key = create(kms, KeySpec="SYMMETRIC_DEFAULT")
    rotated = kms.rotate_key_on_demand(KeyId=key["KeyId"])
    assert_matches(normalise(rotated), recorded("test_rotate_on_demand_returns_arn_for_key_id", "rotate-on-demand-aws-key"))
    assert rotated["KeyId"] == key["Arn"]


def test_key_rotation_updates_current_key_material_id(kms):
    entry = "test_key_rotation_updates_current_key_material_id_for_aws_symmetric_keys"
    key_id = kms.create_key(Description="test-key")["KeyMetadata"]["KeyId"]
    before = kms.describe_key(KeyId=key_id)
    assert_matches(normalise(before), recorded(entry, "describe-key-before-rotation"))
    kms.rotate_key_on_demand(KeyId=key_id)
    after = kms.describe_key(KeyId=key_id)
    assert_matches(normalise(after), recorded(entry, "describe-key-after-rotation"))
    assert after["KeyMetadata"]["CurrentKeyMaterialId"] != before["KeyMetadata"]["CurrentKeyMaterialId"]


# ---------------------------------------------------------------------------------------
# Regions


def test_get_key_in_different_region(server, kms):
    entry = "test_get_key_in_different_region"
    there = server.client("admin", region=OTHER_REGION)
    key = there.create_key(Description="test key 123")["KeyMetadata"]
    values = {"<partition>": "aws", "<secondary-region>": OTHER_REGION, "<key-id:1>": key["KeyId"]}
    by_id = failure(lambda: kms.describe_key(KeyId=key["KeyId"]))
    assert_matches(normalise(by_id),
                   filled(recorded(entry, "describe-key-diff-region-with-id"), {**values, "<region>": REGION}))
    by_arn = failure(lambda: kms.describe_key(KeyId=key["Arn"]))
    assert_matches(normalise(by_arn), filled(recorded(entry, "describe-key-diff-region-with-arn"), values))
    assert_matches(normalise(there.describe_key(KeyId=key["KeyId"])),
                   filled(recorded(entry, "describe-key-same-specific-region-with-id"), values))
    assert_matches(normalise(there.describe_key(KeyId=key["Arn"])),
                   filled(recorded(entry, "describe-key-same-specific-region-with-arn"), values))


def test_non_multi_region_keys_should_not_have_multi_region_properties(kms):
    key = kms.create_key(MultiRegion=False, Description="test non multi region key")["KeyMetadata"]
    assert not key["KeyId"].startswith("mrk-")
    entry = "test_non_multi_region_keys_should_not_have_multi_region_properties"
    assert_matches(normalise(key), recorded(entry, entry[len("test_"):]))
