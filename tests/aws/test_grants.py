"""Grants through the real server with boto3: a principal without any IAM policy decrypts only
thanks to a grant, within the grant's constraints, until the grant is retired or revoked; each
refusal is asserted with AWS's message."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, OTHER_ACCOUNT

NOBODY = f"arn:aws:iam::{ACCOUNT}:user/nobody"
READER = f"arn:aws:iam::{ACCOUNT}:user/reader"
BOB = f"arn:aws:iam::{OTHER_ACCOUNT}:user/bob"
CONTEXT = {"purpose": "grants-test"}


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def refusal(who, action, arn, why=None):
    why = why or f"because no identity-based policy allows the {action} action"
    return "AccessDeniedException", f"User: {who} is not authorized to perform: {action} on resource: {arn} {why}"


@pytest.fixture
def key(kms):
    return kms.create_key(Description="granted key")["KeyMetadata"]


def test_nobody_decrypts_only_thanks_to_a_grant(server, kms, key):
    nobody = server.client("nobody")
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"for nobody", EncryptionContext=CONTEXT)["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        nobody.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)
    assert error(e) == refusal(NOBODY, "kms:Decrypt", key["Arn"])

    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["Decrypt"],
                             Constraints={"EncryptionContextEquals": CONTEXT})
    assert len(grant["GrantId"]) == 64
    # Usable at once, with or without its token.
    assert nobody.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)["Plaintext"] == b"for nobody"
    out = nobody.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT, GrantTokens=[grant["GrantToken"]])
    assert out["Plaintext"] == b"for nobody" and out["KeyId"] == key["Arn"]

    # Only within the constraint, and only for the operations granted.
    other_context = {"purpose": "grants-test", "extra": "pair"}
    other_blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext=other_context)["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        nobody.decrypt(CiphertextBlob=other_blob, EncryptionContext=other_context)
    assert error(e) == refusal(NOBODY, "kms:Decrypt", key["Arn"])
    with pytest.raises(ClientError) as e:
        nobody.encrypt(KeyId=key["Arn"], Plaintext=b"x", EncryptionContext=CONTEXT)
    assert error(e) == refusal(NOBODY, "kms:Encrypt", key["Arn"])

    listed = kms.list_grants(KeyId=key["KeyId"])
    assert listed["Truncated"] is False
    [entry] = listed["Grants"]
    assert entry["GrantId"] == grant["GrantId"] and entry["KeyId"] == key["Arn"]
    assert entry["GranteePrincipal"] == NOBODY and entry["Operations"] == ["Decrypt"]
    assert entry["IssuingAccount"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert entry["Constraints"] == {"EncryptionContextEquals": CONTEXT}

    # The issuing account retires it (the admin's IAM policy allows kms:RetireGrant).
    kms.retire_grant(KeyId=key["Arn"], GrantId=grant["GrantId"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    with pytest.raises(ClientError) as e:
        nobody.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)
    assert error(e) == refusal(NOBODY, "kms:Decrypt", key["Arn"])


def test_the_grantee_retires_with_the_token_only_when_the_grant_allows_it(server, kms, key):
    nobody = server.client("nobody")
    plain = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["DescribeKey"])
    assert nobody.describe_key(KeyId=key["Arn"])["KeyMetadata"]["Arn"] == key["Arn"]
    with pytest.raises(ClientError) as e:
        nobody.retire_grant(GrantToken=plain["GrantToken"])
    assert error(e) == refusal(NOBODY, "kms:RetireGrant", key["Arn"])

    retirable = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY,
                                 Operations=["DescribeKey", "RetireGrant"])
    nobody.retire_grant(GrantToken=retirable["GrantToken"])
    remaining = [g["GrantId"] for g in kms.list_grants(KeyId=key["KeyId"])["Grants"]]
    assert remaining == [plain["GrantId"]]


def test_grants_cannot_be_made_or_revoked_without_permission(server, kms, key):
    nobody = server.client("nobody")
    with pytest.raises(ClientError) as e:
        nobody.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["Decrypt"])
    assert error(e) == refusal(NOBODY, "kms:CreateGrant", key["Arn"])
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["Decrypt", "RetireGrant"])
    with pytest.raises(ClientError) as e:
        nobody.revoke_grant(KeyId=key["KeyId"], GrantId=grant["GrantId"])
    assert error(e) == refusal(NOBODY, "kms:RevokeGrant", key["Arn"])
    with pytest.raises(ClientError) as e:
        nobody.list_grants(KeyId=key["KeyId"])
    assert error(e) == refusal(NOBODY, "kms:ListGrants", key["Arn"])
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=grant["GrantId"])
    with pytest.raises(ClientError) as e:
        kms.revoke_grant(KeyId=key["KeyId"], GrantId=grant["GrantId"])
    assert error(e) == ("InvalidGrantIdException", "The request was rejected because the specified GrantId is not valid.")


def test_a_grant_that_allows_create_grant_allows_only_narrower_grants(server, kms, key):
    nobody = server.client("nobody")
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["Decrypt", "CreateGrant"],
                     Constraints={"EncryptionContextSubset": CONTEXT})
    child = nobody.create_grant(KeyId=key["KeyId"], GranteePrincipal=READER, Operations=["Decrypt"],
                                Constraints={"EncryptionContextEquals": CONTEXT})
    assert len(child["GrantId"]) == 64
    with pytest.raises(ClientError) as e:
        nobody.create_grant(KeyId=key["KeyId"], GranteePrincipal=READER, Operations=["Decrypt", "Encrypt"],
                            Constraints={"EncryptionContextSubset": CONTEXT})
    assert error(e) == refusal(NOBODY, "kms:CreateGrant", key["Arn"])
    with pytest.raises(ClientError) as e:
        nobody.create_grant(KeyId=key["KeyId"], GranteePrincipal=READER, Operations=["Decrypt"])
    assert error(e) == refusal(NOBODY, "kms:CreateGrant", key["Arn"])


def test_a_grant_to_another_account(server, kms, key):
    bob = server.client("other")
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"shared")["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        bob.decrypt(CiphertextBlob=blob)
    assert error(e) == refusal(BOB, "kms:Decrypt", key["Arn"], "because no resource-based policy allows the kms:Decrypt action")
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=BOB, Operations=["Decrypt"])
    assert bob.decrypt(CiphertextBlob=blob)["Plaintext"] == b"shared"


def test_an_explicit_deny_in_the_key_policy_beats_a_grant(server, kms):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": NOBODY}, "Action": "kms:Decrypt", "Resource": "*"}]}
    key = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["Decrypt"])
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        server.client("nobody").decrypt(CiphertextBlob=blob)
    assert error(e) == refusal(NOBODY, "kms:Decrypt", key["Arn"], "with an explicit deny in a resource-based policy")


def test_the_retiring_principal_lists_and_retires(server, kms, key):
    reader = server.client("reader")
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, RetiringPrincipal=READER,
                             Operations=["Decrypt"], Name="retired-by-reader")
    again = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, RetiringPrincipal=READER,
                             Operations=["Decrypt"], Name="retired-by-reader")
    assert again["GrantId"] == grant["GrantId"] and again["GrantToken"] != grant["GrantToken"]
    ids = [g["GrantId"] for g in reader.list_retirable_grants(RetiringPrincipal=READER)["Grants"]]
    assert grant["GrantId"] in ids
    reader.retire_grant(GrantToken=again["GrantToken"])
    ids = [g["GrantId"] for g in reader.list_retirable_grants(RetiringPrincipal=READER)["Grants"]]
    assert grant["GrantId"] not in ids
    with pytest.raises(ClientError) as e:
        reader.list_retirable_grants(RetiringPrincipal=BOB)
    assert error(e) == refusal(
        READER, "kms:ListRetirableGrants", BOB,
        "because the kms:ListRetirableGrants action cannot be performed on a resource in another account")


def test_grant_tokens_and_parameters_are_checked(kms, key):
    with pytest.raises(ClientError) as e:
        kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", GrantTokens=["not-a-grant-token"])
    assert error(e) == ("InvalidGrantTokenException",
                        "The request was rejected because the specified grant token is not valid.")
    with pytest.raises(ClientError) as e:
        kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", GrantTokens=["t"] * 11)
    assert error(e)[0] == "ValidationException"
    with pytest.raises(ClientError) as e:
        kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["Sign"])
    assert error(e) == ("ValidationException", "Grant operations [Sign] are not valid for a KMS key with "
                                               "KeyUsage ENCRYPT_DECRYPT and KeySpec SYMMETRIC_DEFAULT.")
    with pytest.raises(ClientError) as e:
        kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:user/ghost",
                         Operations=["Decrypt"])
    assert error(e) == ("InvalidArnException",
                        f"ARN does not refer to a valid principal: arn:aws:iam::{ACCOUNT}:user/ghost")
    with pytest.raises(ClientError) as e:
        kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["Decrypt"], DryRun=True)
    assert error(e) == ("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.")
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_get_public_key_takes_grant_tokens(server, kms):
    nobody = server.client("nobody")
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    with pytest.raises(ClientError) as e:
        nobody.get_public_key(KeyId=key["Arn"])
    assert error(e) == refusal(NOBODY, "kms:GetPublicKey", key["Arn"])
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["GetPublicKey"])
    out = nobody.get_public_key(KeyId=key["Arn"], GrantTokens=[grant["GrantToken"]])
    assert out["PublicKey"] == kms.get_public_key(KeyId=key["KeyId"])["PublicKey"]
    assert out["KeyId"] == key["Arn"] and out["SigningAlgorithms"] == ["ECDSA_SHA_256"]
    with pytest.raises(ClientError) as e:
        kms.get_public_key(KeyId=key["KeyId"], GrantTokens=["not-a-grant-token"])
    assert error(e) == ("InvalidGrantTokenException",
                        "The request was rejected because the specified grant token is not valid.")
