"""STS on the KMS port: GetCallerIdentity and AssumeRole through boto3 and the AWS CLI, and
the temporary credentials they issue used against KMS. Denials are asserted with AWS's
messages.

Expiry is not driven from here (AWS's shortest session is 900 seconds and the server runs
on the system clock): the Rust tests cover it with the service's manual clock
(`coffer-kms` `sts::tests::tokens_are_checked_and_expire` and the `coffer-server` STS test
that answers `ExpiredTokenException` over HTTP).
"""

import datetime
import json
import os
import re
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, APP_ROLE, KEYS, LOCKED_ROLE, NAMED_ROLE, REGION


def error(excinfo, code):
    e = excinfo.value.response["Error"]
    assert e["Code"] == code, e
    return e["Message"]


def assume(server, who="assumer", role=APP_ROLE, name="s1", **kw):
    return server.client(who, service="sts").assume_role(RoleArn=role, RoleSessionName=name, **kw)


def test_get_caller_identity_of_root_and_user(server):
    root = server.client("root", service="sts").get_caller_identity()
    assert (root["Account"], root["Arn"], root["UserId"]) == (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT)
    admin = server.client("admin", service="sts").get_caller_identity()
    assert admin["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/admin"
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", admin["UserId"]), admin["UserId"]
    # Stable: the same user has the same id on every call.
    assert server.client("admin", service="sts").get_caller_identity()["UserId"] == admin["UserId"]
    assert server.client("reader", service="sts").get_caller_identity()["UserId"] != admin["UserId"]


def test_assume_role_issues_temporary_credentials(server):
    before = datetime.datetime.now(datetime.timezone.utc)
    r = assume(server, name="first-session")
    creds, user = r["Credentials"], r["AssumedRoleUser"]
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", creds["AccessKeyId"]), creds["AccessKeyId"]
    assert creds["SecretAccessKey"] and creds["SessionToken"]
    expires_in = creds["Expiration"] - before
    assert datetime.timedelta(minutes=59) < expires_in <= datetime.timedelta(minutes=61)
    assert user["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/app/first-session"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}:first-session", user["AssumedRoleId"]), user["AssumedRoleId"]
    me = server.session_client(creds, service="sts").get_caller_identity()
    assert (me["Account"], me["Arn"], me["UserId"]) == (ACCOUNT, user["Arn"], user["AssumedRoleId"])
    # The session uses KMS with the role's policies.
    kms = server.session_client(creds)
    key = kms.create_key(Description="made by a role session")["KeyMetadata"]
    assert kms.decrypt(CiphertextBlob=kms.encrypt(KeyId=key["KeyId"], Plaintext=b"hi")["CiphertextBlob"])["Plaintext"] == b"hi"


def test_duration_is_checked_against_the_role(server):
    r = assume(server, DurationSeconds=900)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert r["Credentials"]["Expiration"] - now <= datetime.timedelta(seconds=900)
    with pytest.raises(ClientError) as e:
        assume(server, DurationSeconds=7200)
    assert error(e, "ValidationError") == "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    with pytest.raises(ClientError) as e:
        assume(server, DurationSeconds=600)
    assert error(e, "ValidationError") == ("1 validation error detected: Value '600' at 'durationSeconds' failed to "
                                           "satisfy constraint: Member must have value greater than or equal to 900")
    with pytest.raises(ClientError) as e:
        assume(server, name="no spaces")
    assert error(e, "ValidationError").endswith(r"Member must satisfy regular expression pattern: [\w+=,.@-]*")


def test_assume_role_denied_by_the_identity_policy(server):
    # `app` trusts the account, so the caller's own policies must allow: `reader`'s do not.
    with pytest.raises(ClientError) as e:
        assume(server, who="reader")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error(e, "AccessDenied") == (f"User: arn:aws:iam::{ACCOUNT}:user/reader is not authorized to perform: "
                                        f"sts:AssumeRole on resource: {APP_ROLE}")


def test_assume_role_denied_by_the_trust_policy(server):
    # `assumer` may assume any role of the account, but `locked` trusts only `admin`.
    with pytest.raises(ClientError) as e:
        assume(server, role=LOCKED_ROLE)
    assert error(e, "AccessDenied") == (f"User: arn:aws:iam::{ACCOUNT}:user/assumer is not authorized to perform: "
                                        f"sts:AssumeRole on resource: {LOCKED_ROLE}")
    # A role that does not exist is denied the same way.
    missing = f"arn:aws:iam::{ACCOUNT}:role/missing"
    with pytest.raises(ClientError) as e:
        assume(server, role=missing)
    assert error(e, "AccessDenied").endswith(f"on resource: {missing}")


def test_a_trust_policy_naming_the_user_needs_no_identity_policy(server):
    r = assume(server, who="nobody", role=NAMED_ROLE, name="by-name")
    assert r["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/named/by-name"


def test_tags_need_tag_session_in_the_trust_policy(server):
    with pytest.raises(ClientError) as e:
        assume(server, who="nobody", role=NAMED_ROLE, Tags=[{"Key": "k", "Value": "v"}])
    assert error(e, "AccessDenied") == (f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: "
                                        f"sts:TagSession on resource: {NAMED_ROLE}")


def test_a_session_policy_narrows_kms_calls(server, kms, key_id):
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}]}
    r = assume(server, name="narrowed", Policy=json.dumps(policy))
    assert r["PackedPolicySize"] >= 1
    session = server.session_client(r["Credentials"])
    arn = session.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    with pytest.raises(ClientError) as e:
        session.encrypt(KeyId=key_id, Plaintext=b"x")
    assert error(e, "AccessDeniedException") == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app/narrowed is not authorized to perform: kms:Encrypt "
        f"on resource: {arn} because no session policy allows the kms:Encrypt action")


def test_a_malformed_session_policy(server):
    with pytest.raises(ClientError) as e:
        assume(server, Policy="{not json")
    error(e, "MalformedPolicyDocument")


def test_session_tags_meet_a_key_policy_condition(server, kms):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/admin"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "ApolloSessions", "Effect": "Allow", "Principal": {"AWS": APP_ROLE}, "Action": "kms:Encrypt", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/project": "apollo", "aws:PrincipalTag/dept": "eng"}}},
    ]}
    key = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]
    tagged = assume(server, name="tagged", Tags=[{"Key": "project", "Value": "apollo"}])
    server.session_client(tagged["Credentials"]).encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    other = assume(server, name="other-project", Tags=[{"Key": "project", "Value": "gemini"}])
    with pytest.raises(ClientError) as e:
        server.session_client(other["Credentials"]).encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    assert error(e, "AccessDeniedException") == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app/other-project is not authorized to perform: kms:Encrypt "
        f"on resource: {key['Arn']} because no resource-based policy allows the kms:Encrypt action")


def test_a_wrong_or_missing_session_token_is_refused(server, key_id):
    creds = assume(server, name="tokens")["Credentials"]
    for token in ("not-the-token", ""):
        with pytest.raises(ClientError) as e:
            server.session_client(creds, token=token).describe_key(KeyId=key_id)
        assert error(e, "UnrecognizedClientException") == "The security token included in the request is invalid."
    with pytest.raises(ClientError) as e:
        server.session_client(creds, service="sts", token="not-the-token").get_caller_identity()
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error(e, "InvalidClientTokenId") == "The security token included in the request is invalid."


def test_a_long_term_key_with_a_session_token_is_refused(server, key_id):
    ak, sk = KEYS["admin"]
    client = server.session_client({"AccessKeyId": ak, "SecretAccessKey": sk, "SessionToken": "anything"})
    with pytest.raises(ClientError) as e:
        client.describe_key(KeyId=key_id)
    assert error(e, "UnrecognizedClientException") == "The security token included in the request is invalid."


def test_group_policies_grant_kms_access(server):
    grouped = server.client("grouped")
    key = grouped.create_key()["KeyMetadata"]
    grouped.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    with pytest.raises(ClientError) as e:
        grouped.schedule_key_deletion(KeyId=key["KeyId"])
    assert error(e, "AccessDeniedException") == (
        f"User: arn:aws:iam::{ACCOUNT}:user/grouped is not authorized to perform: kms:ScheduleKeyDeletion "
        f"on resource: {key['Arn']} because no identity-based policy allows the kms:ScheduleKeyDeletion action")


def test_an_rcp_denies_a_tagged_session(server, key_id):
    r = assume(server, name="quarantined", Tags=[{"Key": "quarantine", "Value": "yes"}])
    session = server.session_client(r["Credentials"])
    blob = session.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        session.decrypt(CiphertextBlob=blob)
    message = error(e, "AccessDeniedException")
    assert message.startswith(f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app/quarantined is not authorized to perform: kms:Decrypt")
    assert message.endswith("with an explicit deny in a resource control policy")


def test_an_scp_denies_by_session_tag(server, key_id):
    r = assume(server, name="apollo-team", Tags=[{"Key": "team", "Value": "apollo"}])
    with pytest.raises(ClientError) as e:
        server.session_client(r["Credentials"]).schedule_key_deletion(KeyId=key_id)
    assert error(e, "AccessDeniedException").endswith("with an explicit deny in a service control policy")


def sts_cli(server, *args, who="assumer", env_extra=None):
    ak, sk = KEYS[who]
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ak, AWS_SECRET_ACCESS_KEY=sk, AWS_DEFAULT_REGION=REGION,
               AWS_PAGER="", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    env.pop("AWS_SESSION_TOKEN", None)
    env.update(env_extra or {})
    return subprocess.run(["aws", "sts", *args, "--endpoint-url", server.endpoint, "--output", "json"],
                          env=env, capture_output=True, text=True, timeout=60)


def test_the_cli_gets_identities_and_assumes_roles(server):
    r = sts_cli(server, "get-caller-identity")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/assumer"
    r = sts_cli(server, "assume-role", "--role-arn", APP_ROLE, "--role-session-name", "cli-session",
                "--tags", "Key=project,Value=apollo", "--external-id", "cli-ext")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    creds = out["Credentials"]
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/app/cli-session"
    r = sts_cli(server, "get-caller-identity", env_extra={
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"]})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["UserId"] == out["AssumedRoleUser"]["AssumedRoleId"]
    r = sts_cli(server, "assume-role", "--role-arn", LOCKED_ROLE, "--role-session-name", "cli-denied")
    assert r.returncode != 0
    assert (f"An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::{ACCOUNT}"
            f":user/assumer is not authorized to perform: sts:AssumeRole on resource: {LOCKED_ROLE}") in r.stderr


def test_assume_role_and_get_caller_identity_are_in_the_audit_log(server):
    sts = server.client("assumer", service="sts")
    r = sts.assume_role(RoleArn=APP_ROLE, RoleSessionName="audited-session", DurationSeconds=900,
                        Tags=[{"Key": "project", "Value": "apollo"}])
    creds = r["Credentials"]
    server.session_client(creds, service="sts").get_caller_identity()
    with pytest.raises(ClientError):
        sts.assume_role(RoleArn=LOCKED_ROLE, RoleSessionName="audited-refusal")

    text = (server.data_dir / "audit.log").read_text()
    assert creds["SecretAccessKey"] not in text, "the secret access key is in the audit log"
    assert creds["SessionToken"] not in text, "the session token is in the audit log"
    events = [json.loads(line) for line in text.splitlines()]
    sts_events = [e for e in events if e["eventSource"] == "sts.amazonaws.com"]

    [assumed] = [e for e in sts_events if e["requestParameters"]
                 and e["requestParameters"].get("roleSessionName") == "audited-session"]
    assert assumed["eventName"] == "AssumeRole" and "errorCode" not in assumed
    assert assumed["userIdentity"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/assumer"
    assert assumed["requestParameters"] == {
        "roleArn": APP_ROLE, "roleSessionName": "audited-session", "durationSeconds": 900,
        "tags": [{"key": "project", "value": "apollo"}]}
    assert assumed["responseElements"]["credentials"]["accessKeyId"] == creds["AccessKeyId"]
    assert set(assumed["responseElements"]["credentials"]) == {"accessKeyId", "expiration"}
    assert assumed["responseElements"]["assumedRoleUser"] == {
        "assumedRoleId": r["AssumedRoleUser"]["AssumedRoleId"], "arn": r["AssumedRoleUser"]["Arn"]}
    assert assumed["resources"] == [{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": APP_ROLE}]
    # sts:AssumeRole and sts:TagSession were each decided.
    assert [d["decision"] for d in assumed["additionalEventData"]["authorization"]] == ["Allow"] * 2

    [identity] = [e for e in sts_events if e["eventName"] == "GetCallerIdentity"
                  and e["userIdentity"]["accessKeyId"] == creds["AccessKeyId"]]
    assert identity["userIdentity"]["arn"] == r["AssumedRoleUser"]["Arn"]
    assert identity["userIdentity"]["type"] == "AssumedRole"
    # As CloudTrail names a role session: its id, and the role that issued it.
    role_id = r["AssumedRoleUser"]["AssumedRoleId"]
    assert identity["userIdentity"]["principalId"] == role_id
    context = identity["userIdentity"]["sessionContext"]
    assert context["sessionIssuer"] == {"type": "Role", "principalId": role_id.split(":")[0], "arn": APP_ROLE,
                                        "accountId": ACCOUNT, "userName": "app"}
    assert context["webIdFederationData"] == {} and context["attributes"]["mfaAuthenticated"] == "false"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", context["attributes"]["creationDate"])
    assert "sessionContext" not in assumed["userIdentity"], "a user has no session context"

    [refused] = [e for e in sts_events if e["requestParameters"]
                 and e["requestParameters"].get("roleSessionName") == "audited-refusal"]
    assert refused["errorCode"] == "AccessDenied"
    assert refused["errorMessage"] == (f"User: arn:aws:iam::{ACCOUNT}:user/assumer is not authorized to perform: "
                                       f"sts:AssumeRole on resource: {LOCKED_ROLE}")
    assert refused["additionalEventData"]["authorization"][-1]["decision"] == "ImplicitDeny"
