"""Cryptographic operations through boto3, with the encryption context bound to the
ciphertext and every KeyId in a response the key ARN."""

import pytest
from botocore.exceptions import ClientError


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def arn_of(kms, key_id):
    return kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]


def test_encrypt_decrypt_round_trip(kms, key_id):
    ec = {"purpose": "test", "Dept": "IT"}
    out = kms.encrypt(KeyId=key_id, Plaintext=b"attack at dawn", EncryptionContext=ec)
    assert out["KeyId"] == arn_of(kms, key_id) and out["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext=ec)
    assert back["Plaintext"] == b"attack at dawn" and back["KeyId"] == out["KeyId"]
    with pytest.raises(ClientError) as e:
        kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"purpose": "other", "Dept": "IT"})
    assert code(e) == "InvalidCiphertextException" and e.value.response["Error"]["Message"] == ""
    with pytest.raises(ClientError) as e:
        kms.decrypt(CiphertextBlob=out["CiphertextBlob"])
    assert code(e) == "InvalidCiphertextException"


def test_decrypt_with_the_wrong_key_id(kms, key_id):
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(ClientError) as e:
        kms.decrypt(CiphertextBlob=blob, KeyId=other)
    assert code(e) == "IncorrectKeyException"
    assert e.value.response["Error"]["Message"] == "The key ID in the request does not identify a CMK that can perform this operation."
    assert kms.decrypt(CiphertextBlob=blob, KeyId=key_id)["Plaintext"] == b"x"


def test_tampered_ciphertext(kms, key_id):
    blob = bytearray(kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"])
    blob[-1] ^= 1
    with pytest.raises(ClientError) as e:
        kms.decrypt(CiphertextBlob=bytes(blob))
    assert code(e) == "InvalidCiphertextException"


def test_plaintext_limits(kms, key_id):
    with pytest.raises(ClientError) as e:
        kms.encrypt(KeyId=key_id, Plaintext=b"x" * 4097)
    assert code(e) == "ValidationException"
    assert e.value.response["Error"]["Message"] == ("1 validation error detected: Value at 'plaintext' failed to satisfy "
                                                    "constraint: Member must have length less than or equal to 4096")
    assert kms.decrypt(CiphertextBlob=kms.encrypt(KeyId=key_id, Plaintext=b"y" * 4096)["CiphertextBlob"])["Plaintext"] == b"y" * 4096


def test_re_encrypt(kms, key_id):
    dest = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"move me", EncryptionContext={"a": "1"})["CiphertextBlob"]
    out = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"a": "1"}, DestinationKeyId=dest,
                         DestinationEncryptionContext={"b": "2"})
    assert out["SourceKeyId"] == arn_of(kms, key_id) and out["KeyId"] == arn_of(kms, dest)
    assert out["SourceEncryptionAlgorithm"] == out["DestinationEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"b": "2"})["Plaintext"] == b"move me"


def test_data_keys(kms, key_id):
    dk = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    assert len(dk["Plaintext"]) == 32 and dk["KeyId"] == arn_of(kms, key_id)
    assert kms.decrypt(CiphertextBlob=dk["CiphertextBlob"])["Plaintext"] == dk["Plaintext"]
    assert len(kms.generate_data_key(KeyId=key_id, NumberOfBytes=64)["Plaintext"]) == 64
    wp = kms.generate_data_key_without_plaintext(KeyId=key_id, KeySpec="AES_128")
    assert "Plaintext" not in wp and len(kms.decrypt(CiphertextBlob=wp["CiphertextBlob"])["Plaintext"]) == 16
    with pytest.raises(ClientError) as e:
        kms.generate_data_key(KeyId=key_id)
    assert code(e) == "ValidationException"


def test_generate_random(kms):
    a, b = kms.generate_random(NumberOfBytes=32)["Plaintext"], kms.generate_random(NumberOfBytes=32)["Plaintext"]
    assert len(a) == 32 and a != b
    with pytest.raises(ClientError) as e:
        kms.generate_random(NumberOfBytes=1025)
    assert e.value.response["Error"]["Message"] == ("1 validation error detected: Value '1025' at 'numberOfBytes' failed to "
                                                    "satisfy constraint: Member must have value less than or equal to 1024")


def test_dry_run(kms, key_id):
    with pytest.raises(ClientError) as e:
        kms.encrypt(KeyId=key_id, Plaintext=b"x", DryRun=True)
    assert code(e) == "DryRunOperationException"
    assert e.value.response["Error"]["Message"] == "The request would have succeeded, but the DryRun option is set."


DRY = ("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.")


def refusal(e):
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def dry_runs(kms, admin):
    """Every operation that has DryRun, as a dry run by `kms` (keys made by `admin`)."""
    def make(**kw):
        return admin.create_key(**kw)["KeyMetadata"]["Arn"]
    sym = make()
    sign = make(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    mac = make(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    agree = make(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")
    peer = admin.get_public_key(KeyId=make(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT"))["PublicKey"]
    blob = admin.encrypt(KeyId=sym, Plaintext=b"x")["CiphertextBlob"]
    grantee = "arn:aws:iam::111122223333:user/reader"
    grant = admin.create_grant(KeyId=sym, GranteePrincipal=grantee, Operations=["Decrypt"])["GrantId"]
    return {
        "Encrypt": lambda: kms.encrypt(KeyId=sym, Plaintext=b"x", DryRun=True),
        "Decrypt": lambda: kms.decrypt(CiphertextBlob=blob, DryRun=True),
        "Decrypt IGNORE_CIPHERTEXT": lambda: kms.decrypt(KeyId=sym, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"]),
        "ReEncrypt": lambda: kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=sym, DryRun=True),
        "ReEncrypt IGNORE_CIPHERTEXT": lambda: kms.re_encrypt(SourceKeyId=sym, DestinationKeyId=sym, DryRun=True,
                                                              DryRunModifiers=["IGNORE_CIPHERTEXT"]),
        "GenerateDataKey": lambda: kms.generate_data_key(KeyId=sym, KeySpec="AES_256", DryRun=True),
        "GenerateDataKeyWithoutPlaintext": lambda: kms.generate_data_key_without_plaintext(KeyId=sym, KeySpec="AES_256",
                                                                                           DryRun=True),
        "GenerateDataKeyPair": lambda: kms.generate_data_key_pair(KeyId=sym, KeyPairSpec="ECC_NIST_P256", DryRun=True),
        "GenerateDataKeyPairWithoutPlaintext": lambda: kms.generate_data_key_pair_without_plaintext(
            KeyId=sym, KeyPairSpec="ECC_NIST_P256", DryRun=True),
        "Sign": lambda: kms.sign(KeyId=sign, Message=b"m", SigningAlgorithm="ECDSA_SHA_256", DryRun=True),
        "Verify": lambda: kms.verify(KeyId=sign, Message=b"m", Signature=b"s" * 64, SigningAlgorithm="ECDSA_SHA_256",
                                     DryRun=True),
        "GenerateMac": lambda: kms.generate_mac(KeyId=mac, Message=b"m", MacAlgorithm="HMAC_SHA_256", DryRun=True),
        "VerifyMac": lambda: kms.verify_mac(KeyId=mac, Message=b"m", Mac=b"m" * 32, MacAlgorithm="HMAC_SHA_256",
                                            DryRun=True),
        "DeriveSharedSecret": lambda: kms.derive_shared_secret(KeyId=agree, KeyAgreementAlgorithm="ECDH", PublicKey=peer,
                                                               DryRun=True),
        "CreateGrant": lambda: kms.create_grant(KeyId=sym, GranteePrincipal=grantee, Operations=["Decrypt"], DryRun=True),
        "RetireGrant": lambda: kms.retire_grant(KeyId=sym, GrantId=grant, DryRun=True),
        "RevokeGrant": lambda: kms.revoke_grant(KeyId=sym, GrantId=grant, DryRun=True),
    }


def test_every_dry_run_answers_as_the_request_would(server, kms):
    for name, call in dry_runs(kms, kms).items():
        with pytest.raises(ClientError) as e:
            call()
        assert refusal(e) == DRY, name
    nobody = server.client("nobody")
    for name, call in dry_runs(nobody, kms).items():
        with pytest.raises(ClientError) as e:
            call()
        code, message = refusal(e)
        assert code == "AccessDeniedException", (name, code, message)
        assert message.startswith("User: arn:aws:iam::111122223333:user/nobody is not authorized to perform: kms:"), name


def test_dry_run_modifiers(kms, key_id):
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    ignore = ["IGNORE_CIPHERTEXT"]
    blob = kms.encrypt(KeyId=other, Plaintext=b"x")["CiphertextBlob"]
    # The ciphertext is neither needed nor read: not even another key's is an IncorrectKeyException.
    for kw in ({}, {"CiphertextBlob": b"junk"}, {"CiphertextBlob": blob}):
        with pytest.raises(ClientError) as e:
            kms.decrypt(KeyId=key_id, DryRun=True, DryRunModifiers=ignore, **kw)
        assert refusal(e) == DRY, kw
    with pytest.raises(ClientError) as e:
        kms.decrypt(KeyId=key_id, CiphertextBlob=blob, DryRun=True)
    assert code(e) == "IncorrectKeyException"
    with pytest.raises(ClientError) as e:
        kms.re_encrypt(SourceKeyId=key_id, DestinationKeyId=other, CiphertextBlob=b"junk", DryRun=True,
                       DryRunModifiers=ignore)
    assert refusal(e) == DRY
    # Then the request must name the key.
    with pytest.raises(ClientError) as e:
        kms.decrypt(CiphertextBlob=blob, DryRun=True, DryRunModifiers=ignore)
    assert refusal(e) == ("ValidationException", "KeyId is required when DryRunModifiers contains IGNORE_CIPHERTEXT.")
    with pytest.raises(ClientError) as e:
        kms.re_encrypt(DestinationKeyId=other, DryRun=True, DryRunModifiers=ignore)
    assert refusal(e) == ("ValidationException",
                          "SourceKeyId is required when DryRunModifiers contains IGNORE_CIPHERTEXT.")
    # Only the model's modifiers.
    with pytest.raises(ClientError) as e:
        kms.decrypt(KeyId=key_id, DryRun=True, DryRunModifiers=["IGNORE_EVERYTHING"])
    assert refusal(e) == ("ValidationException", "1 validation error detected: Value '[IGNORE_EVERYTHING]' at "
                          "'dryRunModifiers' failed to satisfy constraint: Member must satisfy constraint: "
                          "[Member must satisfy enum value set: [IGNORE_CIPHERTEXT]]")
    # Without DryRun the modifier changes nothing.
    assert kms.decrypt(CiphertextBlob=blob, DryRunModifiers=ignore)["Plaintext"] == b"x"


def test_ciphertext_decrypts_independently_of_aws_sdk_encoding(kms, key_id):
    """The blob is opaque to clients but must survive base64 round trips of every length."""
    for n in (1, 2, 3, 15, 16, 17, 255, 1024):
        blob = kms.encrypt(KeyId=key_id, Plaintext=bytes(range(256)) * 4 if n == 1024 else bytes(n))["CiphertextBlob"]
        assert len(kms.decrypt(CiphertextBlob=blob)["Plaintext"]) == n
