// The AWS SDK for JavaScript v3, unmodified, against a running Coffer: its own JSON 1.1
// serializers, SigV4 signer, error parsing and paginators, which share no code with
// botocore. Run by tests/aws/test_js_sdk.py, which starts the server and passes
// COFFER_ENDPOINT, COFFER_REGION, COFFER_ACCOUNT and COFFER_KEYS ({"who": [id, secret]}).

import assert from "node:assert/strict";
import { createPublicKey, createVerify, randomBytes } from "node:crypto";
import { test } from "node:test";

import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateRandomCommand,
  GetPublicKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
  CancelKeyDeletionCommand,
  SignCommand,
  VerifyCommand,
  paginateListKeys,
} from "@aws-sdk/client-kms";

const endpoint = process.env.COFFER_ENDPOINT;
const region = process.env.COFFER_REGION;
const account = process.env.COFFER_ACCOUNT;
const keys = JSON.parse(process.env.COFFER_KEYS);

function client(who, secret) {
  const [accessKeyId, secretAccessKey] = keys[who];
  return new KMSClient({
    endpoint,
    region,
    maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey: secret ?? secretAccessKey },
  });
}

const kms = client("admin");

async function newKey(input = {}) {
  const out = await kms.send(new CreateKeyCommand({ Description: "js sdk", ...input }));
  return out.KeyMetadata;
}

// Sends `command` and returns the error it must fail with.
async function failure(c, command) {
  try {
    await c.send(command);
  } catch (e) {
    return e;
  }
  assert.fail(`${command.constructor.name} succeeded`);
}

test("CreateKey and DescribeKey: ARN, dates and enums as the SDK types them", async () => {
  const meta = await newKey({ Tags: [{ TagKey: "team", TagValue: "apollo" }] });
  assert.match(meta.KeyId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(meta.Arn, `arn:aws:kms:${region}:${account}:key/${meta.KeyId}`);
  assert.ok(meta.CreationDate instanceof Date);
  assert.ok(Math.abs(meta.CreationDate.getTime() - Date.now()) < 60_000);
  assert.equal(meta.KeyState, "Enabled");
  assert.equal(meta.KeySpec, "SYMMETRIC_DEFAULT");
  assert.deepEqual(meta.EncryptionAlgorithms, ["SYMMETRIC_DEFAULT"]);
  const described = await kms.send(new DescribeKeyCommand({ KeyId: meta.Arn }));
  assert.equal(described.KeyMetadata.KeyId, meta.KeyId);
});

test("Encrypt, Decrypt and GenerateDataKey with an encryption context", async () => {
  const meta = await newKey();
  await kms.send(new CreateAliasCommand({ AliasName: `alias/js-${meta.KeyId}`, TargetKeyId: meta.KeyId }));
  const context = { purpose: "js", tenant: "apollo" };
  const plaintext = randomBytes(4096);
  const sealed = await kms.send(
    new EncryptCommand({ KeyId: `alias/js-${meta.KeyId}`, Plaintext: plaintext, EncryptionContext: context }),
  );
  assert.equal(sealed.KeyId, meta.Arn);
  assert.ok(sealed.CiphertextBlob instanceof Uint8Array);
  const opened = await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context }));
  assert.equal(opened.KeyId, meta.Arn);
  assert.deepEqual(Buffer.from(opened.Plaintext), plaintext);

  const wrongContext = await failure(kms, new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
  assert.equal(wrongContext.name, "InvalidCiphertextException");
  assert.equal(wrongContext.$metadata.httpStatusCode, 400);

  const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: meta.KeyId, KeySpec: "AES_256" }));
  assert.equal(dataKey.Plaintext.length, 32);
  const unwrapped = await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, KeyId: meta.Arn }));
  assert.deepEqual(unwrapped.Plaintext, dataKey.Plaintext);
});

test("Sign with a P-256 key, verified by Node's own crypto from GetPublicKey", async () => {
  const meta = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
  const message = Buffer.from("signed by coffer, checked by node");
  const signed = await kms.send(
    new SignCommand({ KeyId: meta.KeyId, Message: message, MessageType: "RAW", SigningAlgorithm: "ECDSA_SHA_256" }),
  );
  assert.equal(signed.KeyId, meta.Arn);
  const pub = await kms.send(new GetPublicKeyCommand({ KeyId: meta.KeyId }));
  assert.deepEqual(pub.SigningAlgorithms, ["ECDSA_SHA_256"]);
  const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey), format: "der", type: "spki" });
  assert.ok(createVerify("SHA256").update(message).verify(publicKey, Buffer.from(signed.Signature)));

  const verified = await kms.send(
    new VerifyCommand({
      KeyId: meta.KeyId, Message: message, MessageType: "RAW", Signature: signed.Signature,
      SigningAlgorithm: "ECDSA_SHA_256",
    }),
  );
  assert.equal(verified.SignatureValid, true);
  const forged = await failure(
    kms,
    new VerifyCommand({
      KeyId: meta.KeyId, Message: Buffer.from("something else"), MessageType: "RAW", Signature: signed.Signature,
      SigningAlgorithm: "ECDSA_SHA_256",
    }),
  );
  assert.equal(forged.name, "KMSInvalidSignatureException");
});

test("the ListKeys paginator follows Marker to the end", async () => {
  const made = [await newKey(), await newKey(), await newKey()].map((m) => m.KeyId);
  const seen = [];
  let pages = 0;
  for await (const page of paginateListKeys({ client: kms, pageSize: 2 }, {})) {
    assert.ok(page.Keys.length <= 2);
    seen.push(...page.Keys.map((k) => k.KeyId));
    pages += 1;
  }
  assert.ok(pages >= 2);
  for (const id of made) assert.ok(seen.includes(id), `${id} not listed`);
  assert.equal(new Set(seen).size, seen.length, "a key was listed twice");
});

test("errors carry AWS's names, statuses and messages", async () => {
  const missing = "11111111-2222-3333-4444-555555555555";
  const notFound = await failure(kms, new DescribeKeyCommand({ KeyId: missing }));
  assert.equal(notFound.name, "NotFoundException");
  assert.equal(notFound.$metadata.httpStatusCode, 400);
  assert.equal(notFound.message, `Key 'arn:aws:kms:${region}:${account}:key/${missing}' does not exist`);

  const meta = await newKey();
  const denied = await failure(client("nobody"), new EncryptCommand({ KeyId: meta.Arn, Plaintext: Buffer.from("x") }));
  assert.equal(denied.name, "AccessDeniedException");
  assert.equal(
    denied.message,
    `User: arn:aws:iam::${account}:user/nobody is not authorized to perform: kms:Encrypt on resource: ` +
      `${meta.Arn} because no identity-based policy allows the kms:Encrypt action`,
  );

  const tooMany = await failure(kms, new GenerateRandomCommand({ NumberOfBytes: 1025 }));
  assert.equal(tooMany.name, "ValidationException");
  assert.match(tooMany.message, /numberOfBytes/);

  const badSecret = await failure(client("admin", "not-the-secret-000000000000000000000"), new GenerateRandomCommand({
    NumberOfBytes: 8,
  }));
  assert.equal(badSecret.name, "InvalidSignatureException");
  assert.equal(badSecret.$metadata.httpStatusCode, 400);

  keys.ghost = ["AKIAGHOST00000000002", "ghost-secret-000000000000000000000000002"];
  const ghost = await failure(client("ghost"), new GenerateRandomCommand({ NumberOfBytes: 8 }));
  assert.equal(ghost.name, "UnrecognizedClientException");
  assert.equal(ghost.message, "The security token included in the request is invalid.");
});

test("the key state machine: disabled, pending deletion, back", async () => {
  const meta = await newKey();
  await kms.send(new DisableKeyCommand({ KeyId: meta.KeyId }));
  const disabled = await failure(kms, new EncryptCommand({ KeyId: meta.KeyId, Plaintext: Buffer.from("x") }));
  assert.equal(disabled.name, "DisabledException");
  assert.equal(disabled.message, `${meta.Arn} is disabled.`);
  await kms.send(new EnableKeyCommand({ KeyId: meta.KeyId }));

  const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId, PendingWindowInDays: 7 }));
  assert.equal(scheduled.KeyState, "PendingDeletion");
  assert.ok(scheduled.DeletionDate instanceof Date);
  const days = (scheduled.DeletionDate.getTime() - Date.now()) / 86_400_000;
  assert.ok(days > 6.9 && days <= 7.01, `deletion in ${days} days`);
  const pending = await failure(kms, new EncryptCommand({ KeyId: meta.KeyId, Plaintext: Buffer.from("x") }));
  assert.equal(pending.name, "KMSInvalidStateException");
  assert.equal(pending.message, `${meta.Arn} is pending deletion.`);
  await kms.send(new CancelKeyDeletionCommand({ KeyId: meta.KeyId }));
  const after = await kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }));
  assert.equal(after.KeyMetadata.KeyState, "Disabled");
});
