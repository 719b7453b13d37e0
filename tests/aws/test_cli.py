"""The AWS CLI, unmodified, against Coffer."""

import base64
import json
import os
import subprocess

import pytest

from conftest import KEYS, REGION


def aws(server, *args, who="admin", check=True):
    ak, sk = KEYS[who]
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ak, AWS_SECRET_ACCESS_KEY=sk, AWS_DEFAULT_REGION=REGION,
               AWS_PAGER="", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    r = subprocess.run(["aws", "kms", *args, "--endpoint-url", server.endpoint, "--output", "json"],
                       env=env, capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(r.stderr)
    return r


def test_create_encrypt_decrypt(server, tmp_path):
    key = json.loads(aws(server, "create-key", "--description", "from the cli").stdout)["KeyMetadata"]
    assert key["Description"] == "from the cli"
    plaintext = tmp_path / "p.txt"
    plaintext.write_bytes(b"hello from the aws cli")
    out = json.loads(aws(server, "encrypt", "--key-id", key["KeyId"], "--plaintext", f"fileb://{plaintext}").stdout)
    assert out["KeyId"] == key["Arn"]
    blob = tmp_path / "c.bin"
    blob.write_bytes(base64.b64decode(out["CiphertextBlob"]))
    back = json.loads(aws(server, "decrypt", "--ciphertext-blob", f"fileb://{blob}").stdout)
    assert base64.b64decode(back["Plaintext"]) == b"hello from the aws cli"


def test_denied_call_shows_the_reason(server):
    key = json.loads(aws(server, "create-key").stdout)["KeyMetadata"]
    r = aws(server, "disable-key", "--key-id", key["KeyId"], who="reader", check=False)
    assert r.returncode != 0
    assert "AccessDeniedException" in r.stderr
    assert "is not authorized to perform: kms:DisableKey" in r.stderr
    assert "because no identity-based policy allows the kms:DisableKey action" in r.stderr


def test_list_and_describe(server):
    key = json.loads(aws(server, "create-key").stdout)["KeyMetadata"]
    aws(server, "create-alias", "--alias-name", "alias/cli-test", "--target-key-id", key["KeyId"])
    described = json.loads(aws(server, "describe-key", "--key-id", "alias/cli-test").stdout)["KeyMetadata"]
    assert described["KeyId"] == key["KeyId"]
    keys = json.loads(aws(server, "list-keys").stdout)["Keys"]
    assert key["KeyId"] in {k["KeyId"] for k in keys}
