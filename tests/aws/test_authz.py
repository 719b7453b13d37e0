"""Authorization of real calls: identity policies, the key policy, an SCP and another
account, each denial asserted with AWS's message."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, OTHER_ACCOUNT


def denied(excinfo):
    e = excinfo.value.response["Error"]
    assert e["Code"] == "AccessDeniedException", e
    return e["Message"]


def test_reader_may_describe_and_encrypt_but_not_decrypt(server, kms, key_id):
    reader = server.client("reader")
    arn = reader.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    blob = reader.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        reader.decrypt(CiphertextBlob=blob)
    assert denied(e) == (f"User: arn:aws:iam::{ACCOUNT}:user/reader is not authorized to perform: kms:Decrypt "
                         f"on resource: {arn} because no identity-based policy allows the kms:Decrypt action")
    with pytest.raises(ClientError) as e:
        reader.create_key()
    assert denied(e) == (f"User: arn:aws:iam::{ACCOUNT}:user/reader is not authorized to perform: kms:CreateKey "
                         f"on resource: * because no identity-based policy allows the kms:CreateKey action")


def test_a_principal_without_policies_gets_nothing(server, key_id):
    nobody = server.client("nobody")
    with pytest.raises(ClientError) as e:
        nobody.describe_key(KeyId=key_id)
    assert "because no identity-based policy allows the kms:DescribeKey action" in denied(e)


def test_root_needs_no_identity_policy(server, key_id):
    root = server.client("root")
    assert root.describe_key(KeyId=key_id)["KeyMetadata"]["KeyId"] == key_id


def test_key_policy_without_delegation_shuts_iam_out(server, kms):
    # Only the admin user is named: IAM policies of other users count for nothing.
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/admin"}, "Action": "kms:*", "Resource": "*"}]}
    key_id = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["KeyId"]
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    with pytest.raises(ClientError) as e:
        server.client("guarded").describe_key(KeyId=key_id)
    assert denied(e) == (f"User: arn:aws:iam::{ACCOUNT}:user/guarded is not authorized to perform: kms:DescribeKey "
                         f"on resource: {arn} because no resource-based policy allows the kms:DescribeKey action")


def test_explicit_deny_in_the_key_policy(server, kms):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "NoDecryptForGuarded", "Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/guarded"},
         "Action": "kms:Decrypt", "Resource": "*"}]}
    key_id = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        server.client("guarded").decrypt(CiphertextBlob=blob)
    assert denied(e).endswith("with an explicit deny in a resource-based policy")
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_scp_explicit_deny(server, key_id):
    guarded = server.client("guarded")
    arn = guarded.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    with pytest.raises(ClientError) as e:
        guarded.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert denied(e) == (f"User: arn:aws:iam::{ACCOUNT}:user/guarded is not authorized to perform: "
                         f"kms:ScheduleKeyDeletion on resource: {arn} with an explicit deny in a service control policy")


def test_encryption_context_condition(server, kms):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/admin"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "GuardedWithContext", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/guarded"},
         "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:EncryptionContext:project": "apollo"}}}]}
    key_id = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["KeyId"]
    guarded = server.client("guarded")
    blob = guarded.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"project": "apollo"})["CiphertextBlob"]
    assert guarded.decrypt(CiphertextBlob=blob, EncryptionContext={"project": "apollo"})["Plaintext"] == b"x"
    with pytest.raises(ClientError) as e:
        guarded.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"project": "gemini"})
    assert "because no resource-based policy allows the kms:Encrypt action" in denied(e)


def test_another_account_needs_the_key_policy(server, kms):
    bob = server.client("other")
    default_key = kms.create_key()["KeyMetadata"]
    with pytest.raises(ClientError) as e:
        bob.encrypt(KeyId=default_key["Arn"], Plaintext=b"x")
    assert denied(e) == (f"User: arn:aws:iam::{OTHER_ACCOUNT}:user/bob is not authorized to perform: kms:Encrypt "
                         f"on resource: {default_key['Arn']} because no resource-based policy allows the kms:Encrypt action")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:ScheduleKeyDeletion"], "Resource": "*"}]}
    shared = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]
    blob = bob.encrypt(KeyId=shared["Arn"], Plaintext=b"shared")["CiphertextBlob"]
    assert bob.decrypt(CiphertextBlob=blob, KeyId=shared["Arn"])["Plaintext"] == b"shared"
    # Deletion is never possible across accounts, whatever the policies say.
    with pytest.raises(ClientError) as e:
        bob.schedule_key_deletion(KeyId=shared["Arn"], PendingWindowInDays=7)
    assert denied(e).endswith("because the kms:ScheduleKeyDeletion action cannot be performed on a resource in another account")


def test_audit_log_records_calls_with_reasons_and_no_plaintext(server, kms, key_id):
    kms.encrypt(KeyId=key_id, Plaintext=b"very-secret-plaintext")
    with pytest.raises(ClientError):
        server.client("reader").decrypt(CiphertextBlob=kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"])
    text = (server.data_dir / "audit.log").read_text()
    assert "very-secret-plaintext" not in text and "dmVyeS1zZWNyZXQtcGxhaW50ZXh0" not in text
    events = [json.loads(line) for line in text.splitlines()]
    denied_events = [e for e in events if e.get("errorCode") == "AccessDeniedException" and e["eventName"] == "Decrypt"]
    assert denied_events, "the denied Decrypt is in the audit log"
    ev = denied_events[-1]
    assert ev["userIdentity"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/reader"
    assert ev["eventSource"] == "kms.amazonaws.com" and ev["awsRegion"] == "us-east-1"
    reasons = ev["additionalEventData"]["authorization"][-1]
    assert reasons["decision"] == "ImplicitDeny"
    assert reasons["phrase"] == "because no identity-based policy allows the kms:Decrypt action"


def test_key_policy_conditions_on_the_keys_the_service_populates(server, kms):
    # kms:CallerAccount, aws:RequestedRegion, kms:KeySpec and kms:KeyUsage are in every
    # request on a key; a statement whose condition they fail does not apply.
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/admin"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "GuardedEncryptHere", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/guarded"},
         "Action": ["kms:Encrypt", "kms:DescribeKey"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT, "aws:RequestedRegion": "us-east-1",
                                        "kms:KeySpec": "SYMMETRIC_DEFAULT", "kms:KeyUsage": "ENCRYPT_DECRYPT"}}},
        {"Sid": "GuardedDecryptRsaOnly", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/guarded"},
         "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:KeySpec": "RSA_2048"}}},
        {"Sid": "NoRotationOutsideEu", "Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/guarded"},
         "Action": "kms:GetKeyRotationStatus", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}]}
    key_id = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["KeyId"]
    guarded = server.client("guarded")
    arn = guarded.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    blob = guarded.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        guarded.decrypt(CiphertextBlob=blob)
    assert denied(e) == (f"User: arn:aws:iam::{ACCOUNT}:user/guarded is not authorized to perform: kms:Decrypt "
                         f"on resource: {arn} because no resource-based policy allows the kms:Decrypt action")
    with pytest.raises(ClientError) as e:
        guarded.get_key_rotation_status(KeyId=key_id)
    assert denied(e) == (f"User: arn:aws:iam::{ACCOUNT}:user/guarded is not authorized to perform: "
                         f"kms:GetKeyRotationStatus on resource: {arn} with an explicit deny in a resource-based policy")

