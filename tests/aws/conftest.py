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
    "assumer": ("AKIAASSUMER000000001", "assumer-secret-000000000000000000000001"),
    "grouped": ("AKIAGROUPED000000001", "grouped-secret-000000000000000000000001"),
    # Principals of the decision-flow tests (tests/aws/test_decision_flow.py).
    "selfdenied": ("AKIASELFDENIED000001", "selfdenied-secret-0000000000000000000001"),
    "bounded": ("AKIABOUNDED000000001", "bounded-secret-000000000000000000000001"),
    "quarantined": ("AKIAQUARANTINED00001", "quarantined-secret-0000000000000000000001"),
    "abac": ("AKIAABAC000000000001", "abac-secret-00000000000000000000000001"),
    "stranger": ("AKIASTRANGER00000001", "stranger-secret-0000000000000000000001"),
}

# Roles assumed through STS (tests/aws/test_sts.py).
APP_ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
NAMED_ROLE = f"arn:aws:iam::{ACCOUNT}:role/named"
LOCKED_ROLE = f"arn:aws:iam::{ACCOUNT}:role/locked"


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
            {"account": ACCOUNT, "type": "user", "name": "assumer", "access_keys": [key("assumer")], "policies": [
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
                                                          "Resource": f"arn:aws:iam::{ACCOUNT}:role/*"}]}]},
            {"account": ACCOUNT, "type": "user", "name": "grouped", "groups": ["key-users"], "access_keys": [key("grouped")]},
            # Trusts the account: whoever its identity policies allow may assume it.
            {"account": ACCOUNT, "type": "role", "name": "app", "tags": {"dept": "eng"}, "policies": [allow_all],
             "trust_policy": trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, ["sts:AssumeRole", "sts:TagSession"])},
            # Trusts `nobody` by name: no identity policy needed.
            {"account": ACCOUNT, "type": "role", "name": "named", "policies": [allow_all],
             "trust_policy": trust({"AWS": f"arn:aws:iam::{ACCOUNT}:user/nobody"}, "sts:AssumeRole")},
            # Trusts someone else only.
            {"account": ACCOUNT, "type": "role", "name": "locked", "policies": [allow_all],
             "trust_policy": trust({"AWS": f"arn:aws:iam::{ACCOUNT}:user/admin"}, "sts:AssumeRole")},
        ] + decision_flow_principals(allow_all),
        "groups": [
            {"account": ACCOUNT, "name": "key-users", "policies": [{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["kms:CreateKey", "kms:DescribeKey", "kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]}]},
        ],
        "scps": [
            {"target": "ou-prod", "document": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Sid": "NoDeletionByGuarded", "Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/team": "apollo"}}},
            ]}},
        ],
        "rcps": [
            {"target": "r-root", "document": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
                {"Sid": "NoDecryptByQuarantined", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/quarantine": "yes"}}},
            ]}},
        ],
    }


def decision_flow_principals(allow_all):
    """Principals that each meet one rule of the AWS decision flow (test_decision_flow.py)."""
    return [
        # An identity policy that allows everything and explicitly denies Decrypt.
        {"account": ACCOUNT, "type": "user", "name": "selfdenied", "access_keys": [key("selfdenied")], "policies": [
            allow_all,
            {"Version": "2012-10-17", "Statement": [{"Sid": "NoDecrypt", "Effect": "Deny", "Action": "kms:Decrypt",
                                                      "Resource": "*"}]}]},
        # Everything allowed by its identity policy, bounded to a few actions, DisableKey denied.
        {"account": ACCOUNT, "type": "user", "name": "bounded", "access_keys": [key("bounded")], "policies": [allow_all],
         "boundary": {"Version": "2012-10-17", "Statement": [
             {"Sid": "Bound", "Effect": "Allow", "Resource": "*",
              "Action": ["kms:CreateKey", "kms:DescribeKey", "kms:Encrypt", "kms:Decrypt", "kms:DisableKey"]},
             {"Sid": "NeverDisable", "Effect": "Deny", "Action": "kms:DisableKey", "Resource": "*"}]}},
        # Tagged so that the organization's RCP denies it Decrypt.
        {"account": ACCOUNT, "type": "user", "name": "quarantined", "tags": {"quarantine": "yes"},
         "access_keys": [key("quarantined")], "policies": [allow_all]},
        # Allowed only on keys tagged project=apollo.
        {"account": ACCOUNT, "type": "user", "name": "abac", "access_keys": [key("abac")], "policies": [
            {"Version": "2012-10-17", "Statement": [
                {"Sid": "ApolloKeysOnly", "Effect": "Allow", "Action": ["kms:DescribeKey", "kms:Encrypt"],
                 "Resource": f"arn:aws:kms:*:{ACCOUNT}:key/*",
                 "Condition": {"StringEquals": {"aws:ResourceTag/project": "apollo"}}}]}]},
        # A user of the other account without any policy.
        {"account": OTHER_ACCOUNT, "type": "user", "name": "stranger", "access_keys": [key("stranger")]},
    ]


def trust(principal, actions):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": actions}]}


def key(name):
    ak, sk = KEYS[name]
    return {"id": ak, "secret": sk}


def coffer_bin():
    if os.environ.get("COFFER_BIN"):
        return os.environ["COFFER_BIN"]
    # The most recently built binary: an older build of the other profile would test old code.
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    built = [p for p in (target / "debug" / "coffer", target / "release" / "coffer") if p.exists()]
    if not built:
        raise RuntimeError("build coffer first (cargo build -p coffer) or set COFFER_BIN")
    return str(max(built, key=lambda p: p.stat().st_mtime))


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

    def session_client(self, credentials, service="kms", region=REGION, token=None):
        """A client signing with temporary credentials from AssumeRole (`token` replaces the
        session token when given)."""
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region,
                            aws_access_key_id=credentials["AccessKeyId"],
                            aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"] if token is None else token,
                            config=Config(retries={"max_attempts": 1}, parameter_validation=False))


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
