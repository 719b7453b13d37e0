"""Request signing: what AWS answers for unknown keys, bad signatures, missing or
malformed authentication, clock skew and unknown operations."""

import datetime
import json

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
import requests

from conftest import KEYS, REGION


def signed(server, target="TrentService.ListKeys", body=b"{}", who="admin", secret=None, when=None):
    ak, sk = KEYS[who]
    req = botocore.awsrequest.AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target})
    signer = botocore.auth.SigV4Auth(botocore.credentials.Credentials(ak, secret or sk), "kms", REGION)
    if when is not None:
        real = botocore.auth.get_current_datetime
        botocore.auth.get_current_datetime = lambda *a, **k: when
        try:
            signer.add_auth(req)
        finally:
            botocore.auth.get_current_datetime = real
    else:
        signer.add_auth(req)
    return requests.post(server.endpoint + "/", data=body, headers=dict(req.headers))


def body(r):
    return r.status_code, json.loads(r.content)


def test_a_signed_request_works(server):
    status, b = body(signed(server))
    assert status == 200 and "Keys" in b


def test_unknown_access_key(server):
    KEYS["ghost"] = ("AKIAGHOST00000000001", "ghost-secret-000000000000000000000000001")
    status, b = body(signed(server, who="ghost"))
    assert status == 400
    assert b["__type"].split("#")[-1] == "UnrecognizedClientException"
    assert b["message"] == "The security token included in the request is invalid."


def test_wrong_secret(server):
    status, b = body(signed(server, secret="not-the-secret-000000000000000000000"))
    assert status == 400 and b["__type"].split("#")[-1] == "InvalidSignatureException"
    assert b["message"].startswith("The request signature we calculated does not match the signature you provided.")


def test_missing_authentication(server):
    r = requests.post(server.endpoint + "/", data=b"{}", headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.ListKeys"})
    status, b = body(r)
    assert status == 400 and b["__type"].split("#")[-1] == "MissingAuthenticationTokenException"


def test_malformed_authorization(server):
    r = requests.post(server.endpoint + "/", data=b"{}", headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.ListKeys",
        "X-Amz-Date": "20260101T000000Z", "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAADMIN00000000001"})
    status, b = body(r)
    assert status == 400 and b["__type"].split("#")[-1] == "IncompleteSignatureException"


def test_clock_skew(server):
    old = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    status, b = body(signed(server, when=old))
    assert status == 400 and b["__type"].split("#")[-1] == "InvalidSignatureException"
    assert b["message"].startswith("Signature expired:")


def test_unknown_operation(server):
    status, b = body(signed(server, target="TrentService.NoSuchThing"))
    assert status == 400 and b["__type"].split("#")[-1] == "UnknownOperationException"


def test_body_that_is_not_json(server):
    status, b = body(signed(server, target="TrentService.DescribeKey", body=b"{not json"))
    assert status == 400 and b["__type"].split("#")[-1] == "SerializationException"


def test_health(server):
    assert requests.get(server.endpoint + "/health").status_code == 200
