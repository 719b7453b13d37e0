"""Runs the JavaScript tests against the session's server: the AWS SDK for JavaScript v3
(tests/js/kms.test.mjs), a second SDK with its own serializers, signer and error parsing, and
the AWS Encryption SDK for JavaScript on it (tests/js/esdk.test.mjs)."""

import json
import os
import subprocess

from conftest import ACCOUNT, KEYS, REGION, ROOT

JS = ROOT / "tests" / "js"


def test_javascript_sdk(server):
    env = dict(os.environ, COFFER_ENDPOINT=server.endpoint, COFFER_REGION=REGION, COFFER_ACCOUNT=ACCOUNT,
               COFFER_KEYS=json.dumps({who: KEYS[who] for who in ("admin", "nobody")}))
    run = subprocess.run(["node", "--test", "--test-reporter=spec", "kms.test.mjs", "esdk.test.mjs"], cwd=JS, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    # Every test ran: none was skipped or left out.
    assert "# fail 0" in run.stdout or "ℹ fail 0" in run.stdout, run.stdout
    assert "ℹ pass 9" in run.stdout or "# pass 9" in run.stdout, run.stdout
