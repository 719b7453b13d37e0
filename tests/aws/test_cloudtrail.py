"""The audit events of calls, member by member against AWS's documented CloudTrail entries
for AWS KMS (the KMS Developer Guide's "Logging AWS KMS API calls" examples, e.g. ct-encrypt,
ct-decrypt, ct-reencrypt, ct-enablekey, ct-createalias, ct-creategrant, ct-createkey):
cryptographic calls are read-only and name the key material they used, calls that change a
key without answering name it in their response elements, and an IAM user is named."""

import json
import re

from conftest import ACCOUNT, REGION


def events_of(server, request_ids):
    """The audit events of the given requests, by request id."""
    out = {}
    for line in (server.data_dir / "audit.log").read_text().splitlines():
        event = json.loads(line)
        if event["requestID"] in request_ids:
            out[event["requestID"]] = event
    assert set(out) == set(request_ids), "every call has its event"
    return out


def rid(response):
    return response["ResponseMetadata"]["RequestId"]


def material(kms, key_id):
    return kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]


def test_cryptographic_calls_are_read_only_and_name_their_key_material(server, kms):
    source = kms.create_key(Description="trail source")["KeyMetadata"]
    destination = kms.create_key(Description="trail destination")["KeyMetadata"]
    sealed = kms.encrypt(KeyId=source["KeyId"], Plaintext=b"x", EncryptionContext={"Department": "IT"})
    opened = kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"], EncryptionContext={"Department": "IT"})
    data_key = kms.generate_data_key(KeyId=source["KeyId"], KeySpec="AES_256")
    moved = kms.re_encrypt(CiphertextBlob=sealed["CiphertextBlob"], SourceEncryptionContext={"Department": "IT"},
                           DestinationKeyId=destination["KeyId"])
    random = kms.generate_random(NumberOfBytes=8)
    events = events_of(server, [rid(r) for r in (sealed, opened, data_key, moved, random)])
    for event in events.values():
        assert event["readOnly"] is True, event["eventName"]
        assert event["eventCategory"] == "Management" and event["managementEvent"] is True
    source_material = material(kms, source["KeyId"])
    for r in (sealed, opened, data_key):
        assert events[rid(r)]["additionalEventData"]["keyMaterialId"] == source_material
    trail = events[rid(moved)]["additionalEventData"]
    assert trail["sourceKeyMaterialId"] == source_material
    assert trail["destinationKeyMaterialId"] == material(kms, destination["KeyId"])
    assert "keyMaterialId" not in events[rid(random)]["additionalEventData"]
    # Decrypt records the algorithm it used though the request named none.
    assert events[rid(opened)]["requestParameters"] == {"encryptionContext": {"Department": "IT"},
                                                        "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}


def test_key_changes_without_an_answer_name_the_key(server, kms):
    arn = kms.create_key(Description="trail changes")["KeyMetadata"]["Arn"]
    alias = "alias/trail-" + arn.rsplit("/", 1)[1][:8]
    calls = [
        kms.disable_key(KeyId=arn),
        kms.enable_key(KeyId=arn),
        kms.enable_key_rotation(KeyId=arn),
        kms.create_alias(AliasName=alias, TargetKeyId=arn),
        kms.update_alias(AliasName=alias, TargetKeyId=arn),
        kms.delete_alias(AliasName=alias),
    ]
    for call, event in zip(calls, events_of(server, [rid(c) for c in calls]).values()):
        assert event["responseElements"] == {"keyId": arn}, event["eventName"]
        assert event["readOnly"] is False
    grant = kms.create_grant(KeyId=arn, GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:user/reader", Operations=["Decrypt"])
    event = events_of(server, [rid(grant)])[rid(grant)]
    assert event["responseElements"] == {"grantId": grant["GrantId"], "keyId": arn}


def test_create_key_names_the_new_key_and_the_user(server, kms):
    created = kms.create_key(Description="trail create")
    event = events_of(server, [rid(created)])[rid(created)]
    assert {"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": created["KeyMetadata"]["Arn"]} in event["resources"]
    identity = event["userIdentity"]
    assert identity["type"] == "IAMUser" and identity["userName"] == "admin"
    assert identity["arn"] == f"arn:aws:iam::{ACCOUNT}:user/admin" and identity["accountId"] == ACCOUNT
    # A user's unique id, not its access key: the same id `aws:userid` and GetCallerIdentity give.
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", identity["principalId"]), identity["principalId"]
    sts = server.client("admin", service="sts")
    assert sts.get_caller_identity()["UserId"] == identity["principalId"]
    assert event["awsRegion"] == REGION


def test_retiring_by_token_names_the_grant(server, kms):
    arn = kms.create_key(Description="trail retire")["KeyMetadata"]["Arn"]
    grant = kms.create_grant(KeyId=arn, GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:user/admin",
                             Operations=["Decrypt", "RetireGrant"])
    retired = kms.retire_grant(GrantToken=grant["GrantToken"])
    event = events_of(server, [rid(retired)])[rid(retired)]
    assert event["additionalEventData"]["grantId"] == grant["GrantId"]
    assert grant["GrantToken"] not in json.dumps(event), "a grant token is in the trail"
