// The AWS Encryption SDK for JavaScript, unmodified, with its KMS keyring on Coffer: the
// keyring calls GenerateDataKey, Encrypt and Decrypt through the JavaScript SDK and refuses
// any answer whose KeyId is not the key ARN it asked for. Run by tests/aws/test_js_sdk.py
// with COFFER_ENDPOINT, COFFER_REGION, COFFER_ACCOUNT and COFFER_KEYS.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";

import { CreateKeyCommand, DisableKeyCommand, KMS, KMSClient } from "@aws-sdk/client-kms";
import { buildClient, CommitmentPolicy, getClient, KmsKeyringNode } from "@aws-crypto/client-node";

const endpoint = process.env.COFFER_ENDPOINT;
const region = process.env.COFFER_REGION;
const account = process.env.COFFER_ACCOUNT;
const keys = JSON.parse(process.env.COFFER_KEYS);

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

function config(who) {
  const [accessKeyId, secretAccessKey] = keys[who];
  return { endpoint, region, maxAttempts: 1, credentials: { accessKeyId, secretAccessKey } };
}

// The keyring makes its own clients, one per Region a key names; all of them reach Coffer.
const clientProvider = (who) => getClient(KMS, config(who));

const admin = new KMSClient(config("admin"));

async function newKeyArn() {
  const out = await admin.send(new CreateKeyCommand({ Description: "esdk js" }));
  return out.KeyMetadata.Arn;
}

test("a message under two keys opens with either", async () => {
  const [first, second] = [await newKeyArn(), await newKeyArn()];
  const plaintext = randomBytes(10_000);
  const context = { purpose: "esdk-js", tenant: "apollo" };
  const keyring = new KmsKeyringNode({ clientProvider: clientProvider("admin"), generatorKeyId: first, keyIds: [second] });
  const { result, messageHeader } = await encrypt(keyring, plaintext, { encryptionContext: context });
  // One data key from GenerateDataKey under the first key, wrapped again by Encrypt under the second.
  const wrappedBy = messageHeader.encryptedDataKeys.map((edk) => edk.providerInfo).sort();
  assert.deepEqual(wrappedBy, [first, second].sort());

  for (const arn of [first, second]) {
    const only = new KmsKeyringNode({ clientProvider: clientProvider("admin"), keyIds: [arn] });
    const opened = await decrypt(only, result);
    assert.deepEqual(opened.plaintext, plaintext);
    assert.equal(opened.messageHeader.encryptionContext.tenant, "apollo");
  }
});

test("discovery opens messages of the account it is limited to", async () => {
  const arn = await newKeyArn();
  const sealer = new KmsKeyringNode({ clientProvider: clientProvider("admin"), generatorKeyId: arn });
  const { result } = await encrypt(sealer, Buffer.from("found by discovery"));
  const discovery = new KmsKeyringNode({
    clientProvider: clientProvider("admin"),
    discovery: true,
    discoveryFilter: { accountIDs: [account], partition: "aws" },
  });
  assert.equal((await decrypt(discovery, result)).plaintext.toString(), "found by discovery");
});

test("a caller without permission and a disabled key cannot open the message", async () => {
  const arn = await newKeyArn();
  const sealer = new KmsKeyringNode({ clientProvider: clientProvider("admin"), generatorKeyId: arn });
  const { result } = await encrypt(sealer, Buffer.from("kept from nobody"));

  const nobody = new KmsKeyringNode({ clientProvider: clientProvider("nobody"), keyIds: [arn] });
  await assert.rejects(decrypt(nobody, result), (e) => {
    // The keyring reports every key it tried, with Coffer's refusal of each.
    assert.match(String(e.message) + String(e.cause ?? ""), /not authorized to perform: kms:Decrypt/);
    return true;
  });

  await admin.send(new DisableKeyCommand({ KeyId: arn }));
  await assert.rejects(decrypt(sealer, result), (e) => {
    assert.match(String(e.message) + String(e.cause ?? ""), new RegExp(`${arn} is disabled`));
    return true;
  });
});
