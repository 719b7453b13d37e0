"""Starts the real `coffer serve` on a free loopback port and hands out real AWS clients.

The server runs from the binary that `scripts/test` builds (or `COFFER_BIN`), with a
temporary data directory and an identities file declaring two accounts and several
principals with different policies.
"""

import json
import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
REGION = "us-east-1"

KEYS = {
    "root": ("AKIAROOT000000000001", "root-secret-000000000000000000000000001"),
    "admin": ("AKIAADMIN00000000001", "admin-secret-00000000000000000000000001"),
    "reader": ("AKIAREADER0000000001", "reader-secret-0000000000000000000000001"),
    "nobody": ("AKIANOBODY0000000001", "nobody-secret-0000000000000000000000001"),
    "guarded": ("AKIAGUARDED000000001", "guarded-secret-000000000000000000000001"),
    "other": ("AKIAOTHER00000000001", "other-secret-00000000000000000000000001"),
}


def identities():
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
    reader = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadOnly", "Effect": "Allow", "Action": ["kms:Describe*", "kms:List*", "kms:Get*"], "Resource": "*"},
            {"Sid": "EncryptOnly", "Effect": "Allow", "Action": "kms:Encrypt", "Resource": f"arn:aws:kms:*:{ACCOUNT}:key/*"},
        ],
    }
    return {
        "accounts": [
            {"id": ACCOUNT, "cloud": "aws", "org_path": ["r-root", "ou-prod"]},
            {"id": OTHER_ACCOUNT, "cloud": "aws"},
        ],
        "principals": [
            {"account": ACCOUNT, "type": "root", "access_keys": [key("root")]},
            {"account": ACCOUNT, "type": "user", "name": "admin", "access_keys": [key("admin")], "policies": [allow_all]},
            {"account": ACCOUNT, "type": "user", "name": "reader", "access_keys": [key("reader")], "policies": [reader]},
            {"account": ACCOUNT, "type": "user", "name": "nobody", "access_keys": [key("nobody")]},
            {"account": ACCOUNT, "type": "user", "name": "guarded", "access_keys": [key("guarded")], "policies": [allow_all],
             "tags": {"team": "apollo"}},
            {"account": OTHER_ACCOUNT, "type": "user", "name": "bob", "access_keys": [key("other")], "policies": [allow_all]},
        ],
        "scps": [
            {"target": "ou-prod", "document": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Sid": "NoDeletionByGuarded", "Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/team": "apollo"}}},
            ]}},
        ],
    }


def key(name):
    ak, sk = KEYS[name]
    return {"id": ak, "secret": sk}


def coffer_bin():
    if os.environ.get("COFFER_BIN"):
        return os.environ["COFFER_BIN"]
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "coffer"
        if p.exists():
            return str(p)
    raise RuntimeError("build coffer first (cargo build -p coffer) or set COFFER_BIN")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `coffer serve` process over a data directory that outlives restarts."""

    def __init__(self, data_dir, identities_file=None):
        self.data_dir = data_dir
        self.identities_file = identities_file
        self.port = free_port()
        self.proc = None
        self.stdout = b""

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        args = [coffer_bin(), "serve", "--data-dir", str(self.data_dir), "--listen", f"127.0.0.1:{self.port}",
                "--sweep-interval", "1"]
        if self.identities_file:
            args += ["--identities", str(self.identities_file)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"coffer exited: {self.proc.stderr.read().decode()}")
            try:
                with urllib.request.urlopen(self.endpoint + "/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("coffer did not become ready")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            out, _ = self.proc.communicate(timeout=30)
            self.stdout += out or b""
        self.proc = None

    def client(self, who="admin", region=REGION, service="kms"):
        ak, sk = KEYS[who]
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region, aws_access_key_id=ak,
                            aws_secret_access_key=sk, config=Config(retries={"max_attempts": 1}, parameter_validation=False))


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    d = tmp_path_factory.mktemp("coffer")
    ids = d / "identities.json"
    ids.write_text(json.dumps(identities()))
    s = Server(d / "data", ids).start()
    yield s
    s.stop()


@pytest.fixture
def kms(server):
    return server.client("admin")


@pytest.fixture
def key_id(kms):
    return kms.create_key(Description="test key")["KeyMetadata"]["KeyId"]
