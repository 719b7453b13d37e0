"""The AWS decision flow end to end, one test per rule, each refusal asserted with AWS's
exact AccessDeniedException message.

Rules already covered elsewhere and not repeated here: the key policy without the
delegation statement and another account without the key policy (test_authz.py), an
explicit deny in the key policy (test_authz.py, test_grants.py), an SCP's explicit deny
(test_authz.py, test_sts.py), no session policy allowing (test_sts.py), a grant with an
EncryptionContextEquals constraint and retiring a grant (test_grants.py).

The server is reached from 127.0.0.1, which `aws:SourceIp` conditions see.
"""

import base64
import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, APP_ROLE, OTHER_ACCOUNT
from test_cli import aws as aws_cli

ADMIN = f"arn:aws:iam::{ACCOUNT}:user/admin"
GUARDED = f"arn:aws:iam::{ACCOUNT}:user/guarded"
NOBODY = f"arn:aws:iam::{ACCOUNT}:user/nobody"
BOB = f"arn:aws:iam::{OTHER_ACCOUNT}:user/bob"
STRANGER = f"arn:aws:iam::{OTHER_ACCOUNT}:user/stranger"


def denied(excinfo):
    e = excinfo.value.response["Error"]
    assert e["Code"] == "AccessDeniedException", e
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return e["Message"]


def refusal(who, action, resource, why):
    return f"User: {who} is not authorized to perform: {action} on resource: {resource} {why}"


def no_allow(kind, action):
    return f"because no {kind} allows the {action} action"


def cli_refusal(operation, message):
    return f"An error occurred (AccessDeniedException) when calling the {operation} operation: {message}"


def key_policy(*statements, admin=True):
    """A key policy: the admin user may do everything (so that it can change it), then
    `statements`."""
    head = [{"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": ADMIN}, "Action": "kms:*", "Resource": "*"}]
    return json.dumps({"Version": "2012-10-17", "Statement": (head if admin else []) + list(statements)})


def delegating_policy(*statements):
    """A key policy with the delegation statement, then `statements`."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"}, *statements]})


@pytest.fixture
def key(kms):
    return kms.create_key(Description="decision flow")["KeyMetadata"]


# --- Explicit denies, one per policy kind -----------------------------------------------


def test_an_explicit_deny_in_an_identity_policy_wins_over_its_allow(server, kms, key, tmp_path):
    """`selfdenied` is allowed kms:* and denied kms:Decrypt by its own identity policies.
    The refusal is read through the AWS CLI."""
    who = f"arn:aws:iam::{ACCOUNT}:user/selfdenied"
    selfdenied = server.client("selfdenied")
    blob = selfdenied.encrypt(KeyId=key["KeyId"], Plaintext=b"mine")["CiphertextBlob"]
    path = tmp_path / "blob"
    path.write_bytes(blob)
    r = aws_cli(server, "decrypt", "--ciphertext-blob", f"fileb://{path}", who="selfdenied", check=False)
    assert r.returncode != 0
    message = refusal(who, "kms:Decrypt", key["Arn"], "with an explicit deny in an identity-based policy")
    assert cli_refusal("Decrypt", message) in r.stderr, r.stderr
    with pytest.raises(ClientError) as e:
        selfdenied.decrypt(CiphertextBlob=blob)
    assert denied(e) == message
    # The key policy naming the user directly does not lift an identity policy's deny.
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=delegating_policy(
        {"Sid": "Direct", "Effect": "Allow", "Principal": {"AWS": who}, "Action": "kms:Decrypt", "Resource": "*"}))
    with pytest.raises(ClientError) as e:
        selfdenied.decrypt(CiphertextBlob=blob)
    assert denied(e) == message


def test_an_explicit_deny_in_an_rcp(server, kms, key):
    """The organization's RCP denies Decrypt to principals tagged quarantine=yes, whatever
    their identity policies and the key policy allow."""
    who = f"arn:aws:iam::{ACCOUNT}:user/quarantined"
    quarantined = server.client("quarantined")
    blob = quarantined.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        quarantined.decrypt(CiphertextBlob=blob)
    assert denied(e) == refusal(who, "kms:Decrypt", key["Arn"], "with an explicit deny in a resource control policy")
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_a_permissions_boundary_denies_explicitly_and_implicitly(server, key):
    who = f"arn:aws:iam::{ACCOUNT}:user/bounded"
    bounded = server.client("bounded")
    # Within the boundary.
    blob = bounded.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    assert bounded.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    # Denied by the boundary itself.
    with pytest.raises(ClientError) as e:
        bounded.disable_key(KeyId=key["KeyId"])
    assert denied(e) == refusal(who, "kms:DisableKey", key["Arn"], "with an explicit deny in a permissions boundary")
    # Allowed by the identity policy, but outside the boundary.
    with pytest.raises(ClientError) as e:
        bounded.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert denied(e) == refusal(who, "kms:ScheduleKeyDeletion", key["Arn"],
                                no_allow("permissions boundary", "kms:ScheduleKeyDeletion"))
    with pytest.raises(ClientError) as e:
        bounded.list_keys()
    assert denied(e) == refusal(who, "kms:ListKeys", "*", no_allow("permissions boundary", "kms:ListKeys"))


def test_an_explicit_deny_in_a_session_policy(server, key):
    session_policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}
    r = server.client("assumer", service="sts").assume_role(RoleArn=APP_ROLE, RoleSessionName="no-decrypt",
                                                           Policy=json.dumps(session_policy))
    session = server.session_client(r["Credentials"])
    blob = session.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        session.decrypt(CiphertextBlob=blob)
    assert denied(e) == refusal(f"arn:aws:sts::{ACCOUNT}:assumed-role/app/no-decrypt", "kms:Decrypt", key["Arn"],
                                "with an explicit deny in a session policy")


# --- Cross-account ----------------------------------------------------------------------


@pytest.mark.parametrize("principal", [f"arn:aws:iam::{OTHER_ACCOUNT}:root", STRANGER],
                         ids=["key-policy-names-the-account", "key-policy-names-the-user"])
def test_across_accounts_the_key_policy_alone_is_not_enough(server, kms, principal):
    """The key policy lets the other account (or its user by name) in; the caller's own
    account must still allow it, and `stranger` has no identity policy."""
    shared = kms.create_key(Policy=key_policy(
        {"Sid": "Other", "Effect": "Allow", "Principal": {"AWS": principal},
         "Action": ["kms:Encrypt", "kms:DescribeKey"], "Resource": "*"}))["KeyMetadata"]
    with pytest.raises(ClientError) as e:
        server.client("stranger").encrypt(KeyId=shared["Arn"], Plaintext=b"x")
    assert denied(e) == refusal(STRANGER, "kms:Encrypt", shared["Arn"], no_allow("identity-based policy", "kms:Encrypt"))
    # With both sides allowing (bob's identity policy allows kms:*), the call goes through
    # when the key policy names bob's account.
    if principal.endswith(":root"):
        assert server.client("other").encrypt(KeyId=shared["Arn"], Plaintext=b"x")["KeyId"] == shared["Arn"]
    else:
        with pytest.raises(ClientError) as e:
            server.client("other").encrypt(KeyId=shared["Arn"], Plaintext=b"x")
        assert denied(e) == refusal(BOB, "kms:Encrypt", shared["Arn"], no_allow("resource-based policy", "kms:Encrypt"))


def test_only_some_operations_cross_accounts(server, kms):
    """DescribeKey and GetKeyRotationStatus work on another account's key when both sides
    allow; CreateAlias, DisableKey and PutKeyPolicy never do, whatever the policies say."""
    shared = kms.create_key(Policy=key_policy(
        {"Sid": "OtherAccountEverything", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"}))["KeyMetadata"]
    bob = server.client("other")
    assert bob.describe_key(KeyId=shared["Arn"])["KeyMetadata"]["KeyId"] == shared["KeyId"]
    assert bob.get_key_rotation_status(KeyId=shared["Arn"])["KeyRotationEnabled"] is False

    def never(action):
        return refusal(BOB, action, shared["Arn"],
                       f"because the {action} action cannot be performed on a resource in another account")

    with pytest.raises(ClientError) as e:
        bob.create_alias(AliasName="alias/foreign-key", TargetKeyId=shared["Arn"])
    assert denied(e) == never("kms:CreateAlias")
    with pytest.raises(ClientError) as e:
        bob.disable_key(KeyId=shared["Arn"])
    assert denied(e) == never("kms:DisableKey")
    with pytest.raises(ClientError) as e:
        bob.put_key_policy(KeyId=shared["Arn"], PolicyName="default", Policy=key_policy())
    assert denied(e) == never("kms:PutKeyPolicy")
    with pytest.raises(ClientError) as e:
        bob.schedule_key_deletion(KeyId=shared["Arn"], PendingWindowInDays=7)
    assert denied(e) == never("kms:ScheduleKeyDeletion")
    assert kms.describe_key(KeyId=shared["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"


# --- Grants -----------------------------------------------------------------------------


def test_a_subset_constraint_allows_contexts_that_contain_its_pairs(server, kms, key):
    nobody = server.client("nobody")
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["Decrypt"],
                     Constraints={"EncryptionContextSubset": {"purpose": "backup"}})

    def blob(context):
        return kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext=context)["CiphertextBlob"]

    # A pair's key is compared without case, its value with case.
    for context in ({"purpose": "backup"}, {"purpose": "backup", "host": "db-1"}, {"Purpose": "backup"}):
        assert nobody.decrypt(CiphertextBlob=blob(context), EncryptionContext=context)["Plaintext"] == b"x"
    refused = refusal(NOBODY, "kms:Decrypt", key["Arn"], no_allow("identity-based policy", "kms:Decrypt"))
    for context in ({"purpose": "restore"}, {"host": "db-1"}, {"purpose": "Backup"}):
        with pytest.raises(ClientError) as e:
            nobody.decrypt(CiphertextBlob=blob(context), EncryptionContext=context)
        assert denied(e) == refused, context
    with pytest.raises(ClientError) as e:
        nobody.decrypt(CiphertextBlob=kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"])
    assert denied(e) == refused


def test_a_new_grant_is_usable_at_once_with_its_token(server, kms, key):
    """The very next request after CreateGrant, before any listing, uses the grant when it
    passes the grant's token."""
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["GenerateDataKey"])
    out = server.client("nobody").generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256",
                                                    GrantTokens=[grant["GrantToken"]])
    assert out["KeyId"] == key["Arn"] and len(out["Plaintext"]) == 32


def test_revoking_a_grant_removes_the_access_it_gave(server, kms, key):
    nobody = server.client("nobody")
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["Decrypt", "DescribeKey"])
    assert nobody.decrypt(CiphertextBlob=blob, GrantTokens=[grant["GrantToken"]])["Plaintext"] == b"x"
    assert nobody.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["Arn"] == key["Arn"]
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=grant["GrantId"])
    with pytest.raises(ClientError) as e:
        nobody.decrypt(CiphertextBlob=blob)
    assert denied(e) == refusal(NOBODY, "kms:Decrypt", key["Arn"], no_allow("identity-based policy", "kms:Decrypt"))
    with pytest.raises(ClientError) as e:
        nobody.describe_key(KeyId=key["Arn"])
    assert denied(e) == refusal(NOBODY, "kms:DescribeKey", key["Arn"],
                                no_allow("identity-based policy", "kms:DescribeKey"))


def test_retiring_a_grant_by_its_token_removes_the_access_it_gave(server, kms, key):
    nobody = server.client("nobody")
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=NOBODY, Operations=["Encrypt", "RetireGrant"])
    nobody.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    nobody.retire_grant(GrantToken=grant["GrantToken"])
    with pytest.raises(ClientError) as e:
        nobody.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    assert denied(e) == refusal(NOBODY, "kms:Encrypt", key["Arn"], no_allow("identity-based policy", "kms:Encrypt"))


# --- Conditions -------------------------------------------------------------------------


def test_abac_on_the_keys_tags(server, kms):
    """`abac`'s identity policy allows only keys tagged project=apollo: tagging lets it in,
    retagging or untagging shuts it out again."""
    who = f"arn:aws:iam::{ACCOUNT}:user/abac"
    abac = server.client("abac")
    key = kms.create_key(Tags=[{"TagKey": "project", "TagValue": "apollo"}])["KeyMetadata"]
    assert abac.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["KeyId"] == key["Arn"]
    refused = refusal(who, "kms:Encrypt", key["Arn"], no_allow("identity-based policy", "kms:Encrypt"))
    kms.tag_resource(KeyId=key["KeyId"], Tags=[{"TagKey": "project", "TagValue": "gemini"}])
    with pytest.raises(ClientError) as e:
        abac.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    assert denied(e) == refused
    kms.tag_resource(KeyId=key["KeyId"], Tags=[{"TagKey": "project", "TagValue": "apollo"}])
    assert abac.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["KeyId"] == key["Arn"]
    kms.untag_resource(KeyId=key["KeyId"], TagKeys=["project"])
    with pytest.raises(ClientError) as e:
        abac.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    assert denied(e) == refused
    # Never on an untagged key, nor on the key-less ListKeys.
    untagged = kms.create_key()["KeyMetadata"]
    with pytest.raises(ClientError) as e:
        abac.describe_key(KeyId=untagged["KeyId"])
    assert denied(e) == refusal(who, "kms:DescribeKey", untagged["Arn"],
                                no_allow("identity-based policy", "kms:DescribeKey"))


def test_encryption_context_conditions(server, kms):
    """kms:EncryptionContextKeys with ForAllValues (Encrypt: only these keys, and no
    context at all passes, as AWS documents) and ForAnyValue (GenerateDataKey: at least
    this key); kms:EncryptionContext:<k> whose key part is case-insensitive (Decrypt)."""
    key = kms.create_key(Policy=key_policy(
        {"Sid": "OnlyKnownKeys", "Effect": "Allow", "Principal": {"AWS": GUARDED}, "Action": "kms:Encrypt",
         "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["project", "team"]}}},
        {"Sid": "AuditedOnly", "Effect": "Allow", "Principal": {"AWS": GUARDED}, "Action": "kms:GenerateDataKey",
         "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "audit"}}},
        {"Sid": "ApolloDecrypt", "Effect": "Allow", "Principal": {"AWS": GUARDED}, "Action": "kms:Decrypt",
         "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:Project": "apollo"}}}))["KeyMetadata"]
    guarded = server.client("guarded")

    def refused(action):
        return refusal(GUARDED, action, key["Arn"], no_allow("resource-based policy", action))

    for context in ({"project": "apollo"}, {"project": "apollo", "team": "red"}, {}):
        guarded.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext=context)
    for context in ({"project": "apollo", "owner": "me"}, {"Project": "apollo"}):
        with pytest.raises(ClientError) as e:
            guarded.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext=context)
        assert denied(e) == refused("kms:Encrypt"), context

    guarded.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256", EncryptionContext={"audit": "1", "x": "y"})
    for context in ({"x": "y"}, {}):
        with pytest.raises(ClientError) as e:
            guarded.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256", EncryptionContext=context)
        assert denied(e) == refused("kms:GenerateDataKey"), context

    apollo = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"project": "apollo"})["CiphertextBlob"]
    assert guarded.decrypt(CiphertextBlob=apollo, EncryptionContext={"project": "apollo"})["Plaintext"] == b"x"
    # The value is compared case-sensitively.
    upper = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"project": "Apollo"})["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        guarded.decrypt(CiphertextBlob=upper, EncryptionContext={"project": "Apollo"})
    assert denied(e) == refused("kms:Decrypt")


def test_source_ip(server, kms, tmp_path):
    """The calls come from 127.0.0.1: a key policy allowing only 10.0.0.0/8 refuses them
    (read through the AWS CLI), one allowing 127.0.0.0/8 lets them in, and a Deny on
    NotIpAddress shuts them out again."""

    def only_from(cidr, effect="Allow", operator="IpAddress"):
        return key_policy({"Sid": "Network", "Effect": effect, "Principal": {"AWS": GUARDED},
                           "Action": ["kms:Encrypt", "kms:DescribeKey"], "Resource": "*",
                           "Condition": {operator: {"aws:SourceIp": cidr}}})

    key = kms.create_key(Policy=only_from("10.0.0.0/8"))["KeyMetadata"]
    plaintext = tmp_path / "p"
    plaintext.write_bytes(b"from loopback")
    r = aws_cli(server, "encrypt", "--key-id", key["Arn"], "--plaintext", f"fileb://{plaintext}", who="guarded",
                check=False)
    assert r.returncode != 0
    assert cli_refusal("Encrypt", refusal(GUARDED, "kms:Encrypt", key["Arn"],
                                          no_allow("resource-based policy", "kms:Encrypt"))) in r.stderr, r.stderr

    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=only_from("127.0.0.0/8"))
    out = json.loads(aws_cli(server, "encrypt", "--key-id", key["Arn"], "--plaintext", f"fileb://{plaintext}",
                             who="guarded").stdout)
    assert out["KeyId"] == key["Arn"] and base64.b64decode(out["CiphertextBlob"])

    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=delegating_policy(
        {"Sid": "NotFromOutside", "Effect": "Deny", "Principal": {"AWS": GUARDED}, "Action": "kms:*", "Resource": "*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}))
    with pytest.raises(ClientError) as e:
        server.client("guarded").describe_key(KeyId=key["Arn"])
    assert denied(e) == refusal(GUARDED, "kms:DescribeKey", key["Arn"], "with an explicit deny in a resource-based policy")
    assert kms.describe_key(KeyId=key["Arn"])["KeyMetadata"]["Arn"] == key["Arn"]
