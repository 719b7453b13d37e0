"""Key lifecycle through boto3: create, describe, list, enable/disable, descriptions,
deletion windows, aliases, tags, key policies and rotation."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION


def error(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e["Message"]


def test_create_and_describe(kms):
    md = kms.create_key(Description="hello", Tags=[{"TagKey": "team", "TagValue": "apollo"}])["KeyMetadata"]
    assert md["AWSAccountId"] == ACCOUNT
    assert md["Arn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{md['KeyId']}"
    assert (md["KeySpec"], md["KeyUsage"], md["KeyState"], md["Enabled"]) == ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Enabled", True)
    assert md["CustomerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    assert md["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert md["Origin"] == "AWS_KMS" and md["KeyManager"] == "CUSTOMER" and md["MultiRegion"] is False
    assert md["Description"] == "hello"
    assert "DeletionDate" not in md
    described = kms.describe_key(KeyId=md["Arn"])["KeyMetadata"]
    assert described["KeyId"] == md["KeyId"] and described["CreationDate"] == md["CreationDate"]


def test_every_key_reference_form(kms, key_id):
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/ref-forms", TargetKeyId=key_id)
    for ref in (key_id, arn, "alias/ref-forms", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/ref-forms"):
        assert kms.describe_key(KeyId=ref)["KeyMetadata"]["Arn"] == arn
        out = kms.encrypt(KeyId=ref, Plaintext=b"x")
        assert out["KeyId"] == arn


def test_unknown_and_malformed_keys(kms):
    missing = "11111111-2222-3333-4444-555555555555"
    with pytest.raises(ClientError) as e:
        kms.describe_key(KeyId=missing)
    assert error(e) == ("NotFoundException", f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist")
    with pytest.raises(ClientError) as e:
        kms.describe_key(KeyId="fake-key-id")
    assert error(e) == ("NotFoundException", "Invalid keyId 'fake-key-id'")
    with pytest.raises(ClientError) as e:
        kms.describe_key(KeyId="alias/does-not-exist")
    assert error(e) == ("NotFoundException", f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/does-not-exist is not found.")


def test_list_keys_pages(kms):
    made = {kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(3)}
    seen, marker = [], None
    while True:
        kw = {"Limit": 1}
        if marker:
            kw["Marker"] = marker
        page = kms.list_keys(**kw)
        assert len(page["Keys"]) <= 1
        seen += [k["KeyId"] for k in page["Keys"]]
        for k in page["Keys"]:
            assert k["KeyArn"].endswith(k["KeyId"])
        if not page["Truncated"]:
            assert "NextMarker" not in page
            break
        marker = page["NextMarker"]
    assert made <= set(seen) and len(seen) == len(set(seen))
    with pytest.raises(ClientError) as e:
        kms.list_keys(Limit=1001)
    assert error(e)[0] == "ValidationException"


def test_enable_disable(kms, key_id):
    kms.disable_key(KeyId=key_id)
    md = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (md["KeyState"], md["Enabled"]) == ("Disabled", False)
    with pytest.raises(ClientError) as e:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error(e) == ("DisabledException", f"{md['Arn']} is disabled.")
    kms.enable_key(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_update_description(kms, key_id):
    kms.update_key_description(KeyId=key_id, Description="new words")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "new words"


def test_schedule_and_cancel_deletion(kms, key_id):
    out = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert out["KeyId"] == arn and out["KeyState"] == "PendingDeletion" and out["PendingWindowInDays"] == 7
    md = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert md["KeyState"] == "PendingDeletion" and "DeletionDate" in md
    with pytest.raises(ClientError) as e:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error(e) == ("KMSInvalidStateException", f"{arn} is pending deletion.")
    with pytest.raises(ClientError) as e:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=6)
    assert error(e)[0] == "ValidationException"
    assert kms.cancel_key_deletion(KeyId=key_id)["KeyId"] == arn
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"


def test_aliases(kms, key_id):
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    with pytest.raises(ClientError) as e:
        kms.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    assert error(e) == ("AlreadyExistsException", f"An alias with the name arn:aws:kms:{REGION}:{ACCOUNT}:alias/app already exists")
    with pytest.raises(ClientError) as e:
        kms.create_alias(AliasName="app", TargetKeyId=key_id)
    assert error(e)[0] == "ValidationException" and 'Alias must start with the prefix "alias/"' in error(e)[1]
    names = {a["AliasName"]: a for a in kms.list_aliases(KeyId=key_id)["Aliases"]}
    assert names["alias/app"]["TargetKeyId"] == key_id
    assert names["alias/app"]["AliasArn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/app"
    kms.update_alias(AliasName="alias/app", TargetKeyId=other)
    assert kms.describe_key(KeyId="alias/app")["KeyMetadata"]["KeyId"] == other
    kms.delete_alias(AliasName="alias/app")
    with pytest.raises(ClientError) as e:
        kms.describe_key(KeyId="alias/app")
    assert error(e)[0] == "NotFoundException"


def test_tags(kms, key_id):
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "a", "TagValue": "1"}, {"TagKey": "b", "TagValue": "2"}])
    kms.untag_resource(KeyId=key_id, TagKeys=["a"])
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "b", "TagValue": "2"}]
    with pytest.raises(ClientError) as e:
        kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "aws:x", "TagValue": "1"}])
    assert error(e) == ("TagException", "Tags beginning with aws: are reserved")


def test_key_policies(kms, key_id):
    assert kms.list_key_policies(KeyId=key_id)["PolicyNames"] == ["default"]
    policy = kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
    doc = json.loads(policy)
    assert doc["Id"] == "key-default-1"
    assert doc["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    # A policy that would lock the caller out is refused ...
    locked = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                                       "Action": "kms:Encrypt", "Resource": "*"}]}
    with pytest.raises(ClientError) as e:
        kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(locked))
    assert error(e) == ("MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")
    # ... and malformed documents too.
    with pytest.raises(ClientError) as e:
        kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy="{not json")
    assert error(e)[0] == "MalformedPolicyDocumentException"
    doc["Statement"].append({"Sid": "More", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                             "Action": "kms:Decrypt", "Resource": "*"})
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(doc))
    assert json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])["Statement"][1]["Sid"] == "More"


def test_rotation(kms, key_id):
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90 and "NextRotationDate" in status
    with pytest.raises(ClientError) as e:
        kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=89)
    assert error(e)[0] == "ValidationException"
    before = kms.encrypt(KeyId=key_id, Plaintext=b"old material")["CiphertextBlob"]
    kms.rotate_key_on_demand(KeyId=key_id)
    after = kms.encrypt(KeyId=key_id, Plaintext=b"new material")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=before)["Plaintext"] == b"old material"
    assert kms.decrypt(CiphertextBlob=after)["Plaintext"] == b"new material"
    rotations = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["ON_DEMAND"]
    kms.disable_key_rotation(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False


INVALID_MARKER = ("InvalidMarkerException",
                  "The request was rejected because the marker that specifies where pagination should next begin is not valid.")


def test_every_listing_refuses_a_marker_it_did_not_hand_out(kms):
    key = kms.create_key()["KeyMetadata"]
    kms.create_key()
    me = f"arn:aws:iam::{ACCOUNT}:root"
    for i in range(2):
        kms.create_alias(AliasName=f"alias/marker-{key['KeyId'][:8]}-{i}", TargetKeyId=key["KeyId"])
        kms.tag_resource(KeyId=key["KeyId"], Tags=[{"TagKey": f"t{i}", "TagValue": "v"}])
        kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=me, RetiringPrincipal=me, Operations=["Decrypt"])
        kms.rotate_key_on_demand(KeyId=key["KeyId"])
    listings = {
        "list_keys": (kms.list_keys, {}, "Keys"),
        "list_aliases": (kms.list_aliases, {"KeyId": key["KeyId"]}, "Aliases"),
        "list_resource_tags": (kms.list_resource_tags, {"KeyId": key["KeyId"]}, "Tags"),
        "list_grants": (kms.list_grants, {"KeyId": key["KeyId"]}, "Grants"),
        "list_retirable_grants": (kms.list_retirable_grants, {"RetiringPrincipal": me}, "Grants"),
        "list_key_rotations": (kms.list_key_rotations, {"KeyId": key["KeyId"]}, "Rotations"),
    }
    markers = {}
    for name, (call, kw, member) in listings.items():
        first = call(Limit=1, **kw)
        assert first["Truncated"] is True, name
        marker = markers[name] = first["NextMarker"]
        rest = call(Marker=marker, **kw)
        assert first[member][0] not in rest[member], name
        # What a marker used to be taken for: the name of an item.
        item = first[member][0]
        made_up = next(v for k, v in item.items() if k in ("KeyId", "AliasName", "TagKey", "GrantId", "KeyMaterialId"))
        tampered = marker[:-1] + ("A" if marker[-1] != "A" else "B")
        for bad in (made_up, tampered, "x"):
            with pytest.raises(ClientError) as e:
                call(Marker=bad, **kw)
            assert error(e) == INVALID_MARKER, (name, bad)
            assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    for name, (call, kw, _) in listings.items():
        for other, marker in markers.items():
            if other != name:
                with pytest.raises(ClientError) as e:
                    call(Marker=marker, **kw)
                assert error(e) == INVALID_MARKER, f"{name} took the marker of {other}"
    # A single page hands out no marker and takes none.
    with pytest.raises(ClientError) as e:
        kms.list_key_policies(KeyId=key["KeyId"], Marker="default")
    assert error(e) == INVALID_MARKER


def test_the_paginators_walk_every_listing(kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    for i in range(3):
        kms.tag_resource(KeyId=key, Tags=[{"TagKey": f"p{i}", "TagValue": "v"}])
        kms.create_alias(AliasName=f"alias/pages-{key[:8]}-{i}", TargetKeyId=key)
    tags = [t["TagKey"] for page in kms.get_paginator("list_resource_tags").paginate(KeyId=key, PaginationConfig={"PageSize": 1})
            for t in page["Tags"]]
    assert tags == ["p0", "p1", "p2"]
    aliases = [a["AliasName"] for page in kms.get_paginator("list_aliases").paginate(KeyId=key, PaginationConfig={"PageSize": 1})
               for a in page["Aliases"]]
    assert aliases == [f"alias/pages-{key[:8]}-{i}" for i in range(3)]
