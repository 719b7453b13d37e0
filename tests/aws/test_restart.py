"""Durability: keys and ciphertexts survive a restart, and a kill -9 in the middle of a
burst of writes loses no acknowledged key. Also the first start without an identities
file (the embedded default)."""

import os
import re
import signal
import stat
import threading

import boto3
from botocore.config import Config

from conftest import Server


def default_client(server, creds):
    return boto3.client("kms", endpoint_url=server.endpoint, region_name="eu-west-1",
                        aws_access_key_id=creds["AWS_ACCESS_KEY_ID"], aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
                        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))


def first_start(tmp_path):
    s = Server(tmp_path / "data").start()
    s.stop()
    out = s.stdout.decode()
    creds = dict(re.findall(r"^export (AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)=(\S+)$", out, re.M))
    assert set(creds) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}, out
    return s, creds


def test_first_start_creates_private_credentials_and_root_key(tmp_path):
    s, creds = first_start(tmp_path)
    for name in ("credentials", "root.key"):
        mode = stat.S_IMODE(os.stat(s.data_dir / name).st_mode)
        assert mode & 0o077 == 0, f"{name} is {oct(mode)}"
    assert creds["AWS_SECRET_ACCESS_KEY"] in (s.data_dir / "credentials").read_text()
    # The second start reuses them and prints nothing.
    printed = len(s.stdout)
    s.start()
    s.stop()
    assert b"AWS_SECRET_ACCESS_KEY" not in s.stdout[printed:]


def test_keys_and_ciphertexts_survive_a_restart(tmp_path):
    s, creds = first_start(tmp_path)
    s.start()
    kms = default_client(s, creds)
    key = kms.create_key(Description="durable")["KeyMetadata"]
    kms.create_alias(AliasName="alias/durable", TargetKeyId=key["KeyId"])
    blob = kms.encrypt(KeyId="alias/durable", Plaintext=b"still here", EncryptionContext={"k": "v"})["CiphertextBlob"]
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    blob2 = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"after rotation")["CiphertextBlob"]
    s.stop()
    s.start()
    kms = default_client(s, creds)
    assert kms.describe_key(KeyId="alias/durable")["KeyMetadata"]["Description"] == "durable"
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"k": "v"})["Plaintext"] == b"still here"
    assert kms.decrypt(CiphertextBlob=blob2)["Plaintext"] == b"after rotation"
    s.stop()


def test_pagination_markers_survive_a_restart(tmp_path):
    s, creds = first_start(tmp_path)
    s.start()
    kms = default_client(s, creds)
    made = {kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(3)}
    first = kms.list_keys(Limit=1)
    s.stop()
    s.start()
    kms = default_client(s, creds)
    rest = kms.list_keys(Marker=first["NextMarker"])
    assert {k["KeyId"] for k in first["Keys"] + rest["Keys"]} == made
    s.stop()


def test_kill_9_loses_no_acknowledged_key(tmp_path):
    s, creds = first_start(tmp_path)
    s.start()
    acknowledged = []
    stop = threading.Event()

    def burst():
        kms = default_client(s, creds)
        while not stop.is_set() and len(acknowledged) < 400:
            try:
                key_id = kms.create_key()["KeyMetadata"]["KeyId"]
                blob = kms.encrypt(KeyId=key_id, Plaintext=key_id.encode())["CiphertextBlob"]
                acknowledged.append((key_id, blob))
            except Exception:  # the server was killed mid-call: that call was never acknowledged
                return

    workers = [threading.Thread(target=burst) for _ in range(4)]
    for w in workers:
        w.start()
    while len(acknowledged) < 40:
        if not any(w.is_alive() for w in workers):
            break
        threading.Event().wait(0.01)
    s.proc.send_signal(signal.SIGKILL)
    s.proc.wait()
    s.proc = None
    stop.set()
    for w in workers:
        w.join()
    assert len(acknowledged) >= 40, "the burst made progress before the kill"
    s.start()
    kms = default_client(s, creds)
    for key_id, blob in acknowledged:
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == key_id.encode()
    s.stop()
