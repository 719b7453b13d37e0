"""The AWS Encryption SDK for Python, unmodified, with its AWS KMS master key providers
pointed at Coffer: envelope encryption through GenerateDataKey, Encrypt and Decrypt.

The SDK's strict providers check that the `KeyId` of every answer is the key ARN the
message names, so these tests fail if a response carries a key id or an alias instead.
The SDK makes its own KMS clients; it finds Coffer through `AWS_ENDPOINT_URL_KMS`, as any
application pointed at Coffer without code changes would.
"""

import io
import logging

import aws_encryption_sdk
import botocore.session
import pytest
from aws_encryption_sdk import CommitmentPolicy
from aws_encryption_sdk.exceptions import DecryptKeyError, GenerateKeyError, MasterKeyProviderError
from aws_encryption_sdk.identifiers import Algorithm
from aws_encryption_sdk.key_providers.kms import (
    DiscoveryAwsKmsMasterKeyProvider,
    DiscoveryFilter,
    StrictAwsKmsMasterKeyProvider,
)

from conftest import ACCOUNT, KEYS, OTHER_ACCOUNT, REGION

ESDK = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)


@pytest.fixture(autouse=True)
def kms_endpoint(server, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", server.endpoint)


def botocore_session(who):
    access_key, secret = KEYS[who]
    session = botocore.session.Session()
    session.set_credentials(access_key, secret)
    session.set_config_variable("region", REGION)
    return session


def strict(server, who, *key_ids):
    return StrictAwsKmsMasterKeyProvider(key_ids=list(key_ids), botocore_session=botocore_session(who))


def new_key_arn(kms, **kwargs):
    return kms.create_key(Description="encryption sdk", **kwargs)["KeyMetadata"]["Arn"]


def provider_key_ids(header):
    return sorted(edk.key_provider.key_info.decode() for edk in header.encrypted_data_keys)


def test_round_trip_under_one_key(server, kms):
    arn = new_key_arn(kms)
    context = {"purpose": "esdk", "tenant": "apollo"}
    plaintext = b"the quick brown fox " * 100
    ciphertext, header = ESDK.encrypt(source=plaintext, key_provider=strict(server, "admin", arn),
                                      encryption_context=context)
    assert header.algorithm == Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384
    # The data key is wrapped by GenerateDataKey; the SDK records the key ARN Coffer answered.
    assert provider_key_ids(header) == [arn]
    assert all(edk.key_provider.provider_id == "aws-kms" for edk in header.encrypted_data_keys)

    decrypted, decrypt_header = ESDK.decrypt(source=ciphertext, key_provider=strict(server, "admin", arn))
    assert decrypted == plaintext
    # The SDK adds its own member (the signing key) to the caller's context.
    assert context.items() <= decrypt_header.encryption_context.items()

    # The wrapped data key is an ordinary Coffer ciphertext bound to the same context.
    edk = next(iter(header.encrypted_data_keys))
    out = kms.decrypt(CiphertextBlob=edk.encrypted_data_key, EncryptionContext=header.encryption_context)
    assert out["KeyId"] == arn and len(out["Plaintext"]) == 32


def test_several_keys_each_unwrap_the_message(server, kms):
    first, second = new_key_arn(kms), new_key_arn(kms)
    ciphertext, header = ESDK.encrypt(source=b"shared secret", key_provider=strict(server, "admin", first, second))
    # GenerateDataKey under the first key, Encrypt of the same data key under the second.
    assert provider_key_ids(header) == sorted([first, second])
    for arn in (first, second):
        decrypted, _ = ESDK.decrypt(source=ciphertext, key_provider=strict(server, "admin", arn))
        assert decrypted == b"shared secret"


def test_an_alias_encrypts_and_the_message_names_the_key(server, kms):
    arn = new_key_arn(kms)
    alias = "alias/esdk-" + arn.rsplit("/", 1)[1][:8]
    kms.create_alias(AliasName=alias, TargetKeyId=arn)
    alias_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:{alias}"
    ciphertext, header = ESDK.encrypt(source=b"via alias", key_provider=strict(server, "admin", alias_arn))
    assert provider_key_ids(header) == [arn]
    decrypted, _ = ESDK.decrypt(source=ciphertext, key_provider=strict(server, "admin", arn))
    assert decrypted == b"via alias"


def test_streaming_many_frames(server, kms):
    arn = new_key_arn(kms)
    plaintext = bytes(range(256)) * 4096  # 1 MiB: 256 frames of 4 KiB
    with ESDK.stream(mode="e", source=io.BytesIO(plaintext), key_provider=strict(server, "admin", arn),
                     frame_length=4096) as encryptor:
        ciphertext = encryptor.read()
    with ESDK.stream(mode="d", source=io.BytesIO(ciphertext), key_provider=strict(server, "admin", arn)) as decryptor:
        assert decryptor.read() == plaintext


def test_discovery_decrypts_for_the_allowed_account_only(server, kms):
    arn = new_key_arn(kms)
    ciphertext, _ = ESDK.encrypt(source=b"discover me", key_provider=strict(server, "admin", arn))
    session = botocore_session("admin")
    ours = DiscoveryAwsKmsMasterKeyProvider(botocore_session=session,
                                            discovery_filter=DiscoveryFilter(account_ids=[ACCOUNT], partition="aws"))
    decrypted, _ = ESDK.decrypt(source=ciphertext, key_provider=ours)
    assert decrypted == b"discover me"
    theirs = DiscoveryAwsKmsMasterKeyProvider(botocore_session=session,
                                              discovery_filter=DiscoveryFilter(account_ids=[OTHER_ACCOUNT],
                                                                               partition="aws"))
    # The filter refuses the message's key before any call to Coffer.
    with pytest.raises(MasterKeyProviderError, match="not allowed"):
        ESDK.decrypt(source=ciphertext, key_provider=theirs)


def test_a_principal_without_permission_cannot_unwrap(server, kms, caplog):
    caplog.set_level(logging.DEBUG, logger="aws_encryption_sdk")
    arn = new_key_arn(kms)
    ciphertext, _ = ESDK.encrypt(source=b"not for nobody", key_provider=strict(server, "admin", arn))
    # `nobody` has no identity policy; the default key policy only delegates to IAM. The SDK
    # logs each key's failure and raises one error for the message.
    with pytest.raises(DecryptKeyError, match="Unable to decrypt any data key"):
        ESDK.decrypt(source=ciphertext, key_provider=strict(server, "nobody", arn))
    assert (f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: kms:Decrypt on resource: "
            f"{arn} because no identity-based policy allows the kms:Decrypt action") in caplog.text
    with pytest.raises(GenerateKeyError):
        ESDK.encrypt(source=b"x", key_provider=strict(server, "nobody", arn))


def test_a_disabled_key_stops_decryption(server, kms, caplog):
    caplog.set_level(logging.DEBUG, logger="aws_encryption_sdk")
    arn = new_key_arn(kms)
    ciphertext, _ = ESDK.encrypt(source=b"until disabled", key_provider=strict(server, "admin", arn))
    kms.disable_key(KeyId=arn)
    with pytest.raises(DecryptKeyError):
        ESDK.decrypt(source=ciphertext, key_provider=strict(server, "admin", arn))
    assert f"(DisabledException) when calling the Decrypt operation: {arn} is disabled." in caplog.text
    kms.enable_key(KeyId=arn)
    assert ESDK.decrypt(source=ciphertext, key_provider=strict(server, "admin", arn))[0] == b"until disabled"
