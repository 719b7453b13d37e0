"""Asymmetric keys, HMAC keys and imported key material through boto3, every result checked
by a library that is not Coffer's: each public key, signature, ciphertext, MAC, shared
secret and data key pair Coffer makes is checked with the `cryptography` package (SM2 with
`gmssl`, Ed25519ph with `pycryptodome`), and what those libraries make with a Coffer public
key is decrypted or verified by Coffer. Responses are compared with those recorded from
the real AWS KMS where a recording exists."""

import base64
import datetime
import hashlib
import hmac
import os
import re

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding
from cryptography.hazmat.primitives.serialization import load_der_private_key, load_der_public_key

from test_recorded import RECORDED, assert_matches, recorded
from test_recorded import normalise as normalise_dates

HASHES = {"SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384, "SHA_512": hashes.SHA512}
CURVES = {
    "ECC_NIST_P256": (ec.SECP256R1, "ECDSA_SHA_256"),
    "ECC_NIST_P384": (ec.SECP384R1, "ECDSA_SHA_384"),
    "ECC_NIST_P521": (ec.SECP521R1, "ECDSA_SHA_512"),
    "ECC_SECG_P256K1": (ec.SECP256K1, "ECDSA_SHA_256"),
}
RSA_SIGNING = [f"RSASSA_{p}_SHA_{n}" for p in ("PKCS1_V1_5", "PSS") for n in (256, 384, 512)]
MESSAGE = b"attack at dawn"


def normalise(value):
    """What boto3 gives, in the recording's terms: dates are `datetime`, blobs base64 text
    (which the recording's placeholders such as `<signature>` stand for)."""
    if isinstance(value, bytes):
        assert value, "an empty blob"
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in normalise_dates(value).items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return normalise_dates(value)


def matches_recording(ours, theirs):
    """Compares a response with a recording. The recording writes some blobs as a word
    (`public-key`, `ciphertext-blob`): any non-empty blob stands for it."""
    def words_for_blobs(o, t):
        if isinstance(t, dict) and isinstance(o, dict):
            return {k: words_for_blobs(v, t.get(k)) for k, v in o.items()}
        if isinstance(o, bytes) and isinstance(t, str) and re.fullmatch(r"[a-z]+(-[a-z]+)*", t):
            assert o, "an empty blob"
            return t
        return o
    assert_matches(normalise(words_for_blobs(ours, theirs)), theirs)


def error(call):
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response


def code(response):
    return response["Error"]["Code"], response["Error"]["Message"]


def arn_of(kms, key_id):
    return kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]


def make_key(kms, spec, usage, **kw):
    return kms.create_key(KeySpec=spec, KeyUsage=usage, **kw)["KeyMetadata"]


def hash_of(algorithm):
    return next(h() for k, h in HASHES.items() if algorithm.endswith(k))


def digest(algorithm, message):
    h = hashes.Hash(hash_of(algorithm))
    h.update(message)
    return h.finalize()


def verify_outside(public_der, algorithm, message, signature, message_type="RAW"):
    """Verifies a signature with the `cryptography` package; raises if it is not valid."""
    public = load_der_public_key(public_der)
    if algorithm.startswith("RSASSA"):
        h = hash_of(algorithm)
        chosen = utils.Prehashed(h) if message_type == "DIGEST" else h
        if "PSS" in algorithm:
            # AWS: MGF1 with the same hash, salt as long as the digest.
            pad = padding.PSS(mgf=padding.MGF1(hash_of(algorithm)), salt_length=h.digest_size)
        else:
            pad = padding.PKCS1v15()
        public.verify(signature, message, pad, chosen)
    elif algorithm.startswith("ECDSA"):
        h = hash_of(algorithm)
        chosen = utils.Prehashed(h) if message_type == "DIGEST" else h
        public.verify(signature, message, ec.ECDSA(chosen))
    elif algorithm == "ED25519_SHA_512":
        public.verify(signature, message)
    elif algorithm == "ML_DSA_SHAKE_256":
        if message_type == "EXTERNAL_MU":
            public.verify_mu(signature, message)
        else:
            public.verify(signature, message)
    else:
        raise AssertionError(f"no outside check for {algorithm}")


# ---------------------------------------------------------------------------------------
# CreateKey, DescribeKey, GetPublicKey

PAIRS = [
    ("RSA_2048", "ENCRYPT_DECRYPT"), ("RSA_3072", "SIGN_VERIFY"), ("RSA_4096", "ENCRYPT_DECRYPT"),
    ("ECC_NIST_P256", "SIGN_VERIFY"), ("ECC_NIST_P384", "KEY_AGREEMENT"), ("ECC_NIST_P521", "SIGN_VERIFY"),
    ("ECC_SECG_P256K1", "SIGN_VERIFY"), ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"),
    ("ML_DSA_44", "SIGN_VERIFY"), ("ML_DSA_65", "SIGN_VERIFY"), ("ML_DSA_87", "SIGN_VERIFY"),
    ("SM2", "ENCRYPT_DECRYPT"), ("SM2", "SIGN_VERIFY"), ("SM2", "KEY_AGREEMENT"),
    ("HMAC_224", "GENERATE_VERIFY_MAC"), ("HMAC_512", "GENERATE_VERIFY_MAC"),
]
LISTS = {
    "ENCRYPT_DECRYPT": "EncryptionAlgorithms",
    "SIGN_VERIFY": "SigningAlgorithms",
    "GENERATE_VERIFY_MAC": "MacAlgorithms",
    "KEY_AGREEMENT": "KeyAgreementAlgorithms",
}


@pytest.mark.parametrize("spec,usage", PAIRS)
def test_every_spec_and_usage(kms, spec, usage):
    md = make_key(kms, spec, usage)
    assert (md["KeySpec"], md["CustomerMasterKeySpec"], md["KeyUsage"], md["KeyState"]) == (spec, spec, usage, "Enabled")
    # Only the list of the key's usage, and no material id but for symmetric keys.
    present = {name for name in LISTS.values() if name in md}
    assert present == {LISTS[usage]}, md
    assert "CurrentKeyMaterialId" not in md
    assert kms.describe_key(KeyId=md["KeyId"])["KeyMetadata"][LISTS[usage]] == md[LISTS[usage]]
    if usage == "GENERATE_VERIFY_MAC":
        got = error(lambda: kms.get_public_key(KeyId=md["KeyId"]))
        assert got["Error"]["Code"] == "UnsupportedOperationException"
        return
    out = kms.get_public_key(KeyId=md["KeyId"])
    assert out["KeyId"] == md["Arn"] and (out["KeySpec"], out["KeyUsage"]) == (spec, usage)
    assert out[LISTS[usage]] == md[LISTS[usage]]
    assert {name for name in LISTS.values() if name in out} == {LISTS[usage]}
    if spec != "SM2":
        public = load_der_public_key(out["PublicKey"])
        if spec.startswith("RSA"):
            assert public.key_size == int(spec[4:])
        elif spec in CURVES:
            assert isinstance(public.curve, CURVES[spec][0])
        elif spec == "ECC_NIST_EDWARDS25519":
            assert isinstance(public, ed25519.Ed25519PublicKey)


def test_algorithm_lists_are_awss(kms):
    hmac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC", Description="test key")["KeyMetadata"]
    matches_recording(hmac_key, recorded("test_hmac_create_key", "create-hmac-key"))
    matches_recording(kms.describe_key(KeyId=hmac_key["KeyId"])["KeyMetadata"],
                   recorded("test_hmac_create_key", "describe-key"))
    rsa_key = make_key(kms, "RSA_2048", "SIGN_VERIFY")
    assert rsa_key["SigningAlgorithms"] == [
        "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
        "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"]
    assert make_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")["EncryptionAlgorithms"] == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
    assert make_key(kms, "ECC_NIST_P256", "KEY_AGREEMENT")["KeyAgreementAlgorithms"] == ["ECDH"]


def test_create_key_refusals_are_awss(kms):
    got = error(lambda: kms.create_key(KeySpec="HMAC_256"))
    matches_recording(got, recorded("test_hmac_create_key_invalid_operations", "create-hmac-key-without-key-usage"))
    got = error(lambda: kms.create_key(KeySpec="RSA_2048", KeyUsage="KEY_AGREEMENT"))
    matches_recording(got, recorded("test_derive_shared_secret", "response-invalid-key-spec"))
    got = error(lambda: kms.create_key(KeySpec="HMAC_256", KeyUsage="ENCRYPT_DECRYPT"))
    assert code(got) == ("ValidationException", "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_256")


# ---------------------------------------------------------------------------------------
# Sign and Verify


@pytest.mark.parametrize("spec", ["RSA_2048", "RSA_4096"])
def test_rsa_signatures(kms, spec):
    md = make_key(kms, spec, "SIGN_VERIFY")
    public = kms.get_public_key(KeyId=md["KeyId"])["PublicKey"]
    for algorithm in RSA_SIGNING:
        for message_type, message in (("RAW", MESSAGE), ("DIGEST", digest(algorithm, MESSAGE))):
            out = kms.sign(KeyId=md["KeyId"], Message=message, MessageType=message_type, SigningAlgorithm=algorithm)
            assert out["KeyId"] == md["Arn"] and out["SigningAlgorithm"] == algorithm
            assert len(out["Signature"]) == int(spec[4:]) // 8
            verify_outside(public, algorithm, message, out["Signature"], message_type)
            # A signature over the message verifies against its digest, and the other way.
            other = ("DIGEST", digest(algorithm, MESSAGE)) if message_type == "RAW" else ("RAW", MESSAGE)
            ok = kms.verify(KeyId=md["KeyId"], Message=other[1], MessageType=other[0], Signature=out["Signature"],
                            SigningAlgorithm=algorithm)
            assert ok["SignatureValid"] is True and ok["KeyId"] == md["Arn"]


@pytest.mark.parametrize("spec", list(CURVES))
def test_ecdsa_signatures(kms, spec):
    md = make_key(kms, spec, "SIGN_VERIFY")
    algorithm = CURVES[spec][1]
    public = kms.get_public_key(KeyId=md["KeyId"])["PublicKey"]
    for message_type, message in (("RAW", MESSAGE), ("DIGEST", digest(algorithm, MESSAGE))):
        sig = kms.sign(KeyId=md["KeyId"], Message=message, MessageType=message_type, SigningAlgorithm=algorithm)["Signature"]
        verify_outside(public, algorithm, message, sig, message_type)
        assert kms.verify(KeyId=md["KeyId"], Message=message, MessageType=message_type, Signature=sig,
                          SigningAlgorithm=algorithm)["SignatureValid"]


def test_ed25519_signatures(kms):
    md = make_key(kms, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY")
    public = kms.get_public_key(KeyId=md["KeyId"])["PublicKey"]
    sig = kms.sign(KeyId=md["KeyId"], Message=MESSAGE, SigningAlgorithm="ED25519_SHA_512")["Signature"]
    verify_outside(public, "ED25519_SHA_512", MESSAGE, sig)
    # Ed25519ph signs a SHA-512 digest (RFC 8032, empty context), checked with pycryptodome.
    from Crypto.Hash import SHA512
    from Crypto.PublicKey import ECC
    from Crypto.Signature import eddsa
    prehash = hashlib.sha512(MESSAGE).digest()
    ph = kms.sign(KeyId=md["KeyId"], Message=prehash, MessageType="DIGEST", SigningAlgorithm="ED25519_PH_SHA_512")["Signature"]
    eddsa.new(ECC.import_key(public), "rfc8032").verify(SHA512.new(MESSAGE), ph)
    assert kms.verify(KeyId=md["KeyId"], Message=prehash, MessageType="DIGEST", Signature=ph,
                      SigningAlgorithm="ED25519_PH_SHA_512")["SignatureValid"]


@pytest.mark.parametrize("spec", ["ML_DSA_44", "ML_DSA_65", "ML_DSA_87"])
def test_ml_dsa_signatures(kms, spec):
    md = make_key(kms, spec, "SIGN_VERIFY")
    public = kms.get_public_key(KeyId=md["KeyId"])["PublicKey"]
    sig = kms.sign(KeyId=md["KeyId"], Message=MESSAGE, SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"]
    verify_outside(public, "ML_DSA_SHAKE_256", MESSAGE, sig)
    # The external mu (FIPS 204): SHAKE256(SHAKE256(pk, 64) || 0 || 0 || message, 64).
    raw = load_der_public_key(public).public_bytes_raw()
    tr = hashlib.shake_256(raw).digest(64)
    mu = hashlib.shake_256(tr + b"\x00\x00" + MESSAGE).digest(64)
    by_mu = kms.sign(KeyId=md["KeyId"], Message=mu, MessageType="EXTERNAL_MU", SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"]
    verify_outside(public, "ML_DSA_SHAKE_256", MESSAGE, by_mu)
    assert kms.verify(KeyId=md["KeyId"], Message=mu, MessageType="EXTERNAL_MU", Signature=sig,
                      SigningAlgorithm="ML_DSA_SHAKE_256")["SignatureValid"]


def test_sm2_signatures(kms):
    md = make_key(kms, "SM2", "SIGN_VERIFY")
    public = kms.get_public_key(KeyId=md["KeyId"])["PublicKey"]
    sig = kms.sign(KeyId=md["KeyId"], Message=MESSAGE, SigningAlgorithm="SM2DSA")["Signature"]
    assert sm2_verify(public, MESSAGE, sig)
    assert kms.verify(KeyId=md["KeyId"], Message=MESSAGE, Signature=sig, SigningAlgorithm="SM2DSA")["SignatureValid"]


def test_sign_and_verify_refusals(kms):
    md = make_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")
    key = md["KeyId"]
    sig = kms.sign(KeyId=key, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    bad = error(lambda: kms.verify(KeyId=key, Message=b"other", Signature=sig, SigningAlgorithm="ECDSA_SHA_256"))
    assert code(bad) == ("KMSInvalidSignatureException", "")
    got = error(lambda: kms.sign(KeyId=key, Message=b"short", MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256"))
    assert code(got) == ("ValidationException", "Digest is invalid length for algorithm ECDSA_SHA_256.")
    got = error(lambda: kms.sign(KeyId=key, Message=MESSAGE, SigningAlgorithm="RSASSA_PSS_SHA_256"))
    assert code(got) == ("InvalidKeyUsageException", "Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ECC_NIST_P256.")
    got = error(lambda: kms.sign(KeyId=key, Message=MESSAGE, SigningAlgorithm="NOPE"))
    assert got["Error"]["Code"] == "ValidationException" and "signingAlgorithm" in got["Error"]["Message"]
    got = error(lambda: kms.sign(KeyId=key, Message=b"x" * 4097, SigningAlgorithm="ECDSA_SHA_256"))
    assert code(got) == ("ValidationException", "1 validation error detected: Value at 'message' failed to satisfy "
                                                "constraint: Member must have length less than or equal to 4096")
    got = error(lambda: kms.sign(KeyId=key, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256", DryRun=True))
    assert got["Error"]["Code"] == "DryRunOperationException"
    kms.disable_key(KeyId=key)
    got = error(lambda: kms.sign(KeyId=key, Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256"))
    assert code(got) == ("DisabledException", f"{md['Arn']} is disabled.")


def test_sign_and_verify_match_the_recordings(kms):
    md = make_key(kms, "RSA_2048", "SIGN_VERIFY")
    entry = "test_sign_verify[RSA_2048-RSASSA_PSS_SHA_256]"
    key, algorithm = md["KeyId"], "RSASSA_PSS_SHA_256"
    signed = kms.sign(KeyId=key, Message=MESSAGE, SigningAlgorithm=algorithm)
    matches_recording(signed, recorded(entry, "signature"))
    verified = kms.verify(KeyId=key, Message=MESSAGE, Signature=signed["Signature"], SigningAlgorithm=algorithm)
    matches_recording(verified, recorded(entry, "verification"))
    bad_digest = error(lambda: kms.sign(KeyId=key, Message=b"x" * 20, MessageType="DIGEST", SigningAlgorithm=algorithm))
    matches_recording(bad_digest, recorded(entry, "bad-digest"))
    bad = error(lambda: kms.verify(KeyId=key, Message=b"y", Signature=signed["Signature"], SigningAlgorithm=algorithm))
    matches_recording(bad, recorded(entry, "bad-signature"))


def test_wrong_key_usage_messages_match_the_recordings(kms):
    entry = "test_error_messaging_for_invalid_keys"
    mac_key = make_key(kms, "HMAC_224", "GENERATE_VERIFY_MAC")["KeyId"]
    encrypt_key = kms.create_key()["KeyMetadata"]["KeyId"]
    sign_key = make_key(kms, "RSA_2048", "SIGN_VERIFY")["KeyId"]
    got = error(lambda: kms.generate_mac(KeyId=encrypt_key, Message=MESSAGE, MacAlgorithm="HMAC_SHA_224"))
    matches_recording(got, recorded(entry, "generate-mac-invalid-key-id"))
    got = error(lambda: kms.sign(KeyId=mac_key, Message=MESSAGE, SigningAlgorithm="RSASSA_PSS_SHA_256"))
    matches_recording(got, recorded(entry, "sign-invalid-key-id"))
    got = error(lambda: kms.verify(KeyId=encrypt_key, Message=MESSAGE, Signature=b"s", SigningAlgorithm="ECDSA_SHA_256"))
    matches_recording(got, recorded(entry, "verify-invalid-key-id"))
    got = error(lambda: kms.encrypt(KeyId=sign_key, Plaintext=MESSAGE))
    matches_recording(got, recorded(entry, "encrypt-invalid-key-id"))
    blob = kms.encrypt(KeyId=encrypt_key, Plaintext=MESSAGE)["CiphertextBlob"]
    got = error(lambda: kms.decrypt(KeyId=mac_key, CiphertextBlob=blob))
    matches_recording(got, recorded(entry, "decrypt-invalid-key-id"))


# ---------------------------------------------------------------------------------------
# GenerateMac and VerifyMac


@pytest.mark.parametrize("spec", ["HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"])
def test_macs_match_the_recordings(kms, spec):
    algorithm = "HMAC_SHA_" + spec[5:]
    key = make_key(kms, spec, "GENERATE_VERIFY_MAC")["KeyId"]
    entry = f"test_generate_and_verify_mac[{spec}-{algorithm}]"
    made = kms.generate_mac(KeyId=key, Message=MESSAGE, MacAlgorithm=algorithm)
    matches_recording(made, recorded(entry, "generate-mac"))
    assert len(made["Mac"]) == int(spec[5:]) // 8
    checked = kms.verify_mac(KeyId=key, Message=MESSAGE, MacAlgorithm=algorithm, Mac=made["Mac"])
    matches_recording(checked, recorded(entry, "verify-mac"))
    got = error(lambda: kms.generate_mac(KeyId="key_id", Message=MESSAGE, MacAlgorithm=algorithm))
    matches_recording(got, recorded(entry, "generate-mac-invalid-key-id"))
    got = error(lambda: kms.verify_mac(KeyId="key_id", Message=MESSAGE, MacAlgorithm=algorithm, Mac=made["Mac"]))
    matches_recording(got, recorded(entry, "verify-mac-invalid-key-id"))


def test_mac_refusals_match_the_recordings(kms):
    key224 = make_key(kms, "HMAC_224", "GENERATE_VERIFY_MAC")["KeyId"]
    got = error(lambda: kms.generate_mac(KeyId=key224, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256"))
    matches_recording(got, recorded("test_invalid_generate_mac[HMAC_224-HMAC_SHA_256]", "generate-mac"))
    key = make_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")["KeyId"]
    got = error(lambda: kms.generate_mac(KeyId=key, Message=MESSAGE, MacAlgorithm="INVALID"))
    matches_recording(got, recorded("test_invalid_generate_mac[HMAC_256-INVALID]", "generate-mac"))
    message = b"some important message"
    mac = kms.generate_mac(KeyId=key, Message=message, MacAlgorithm="HMAC_SHA_256")["Mac"]
    for name, call in (
        ("test_invalid_verify_mac[HMAC_256-HMAC_SHA_256-some different important message]",
         lambda: kms.verify_mac(KeyId=key, Message=b"some different important message", MacAlgorithm="HMAC_SHA_256", Mac=mac)),
        ("test_invalid_verify_mac[HMAC_256-HMAC_SHA_512-some important message]",
         lambda: kms.verify_mac(KeyId=key, Message=message, MacAlgorithm="HMAC_SHA_512", Mac=mac)),
        ("test_invalid_verify_mac[HMAC_256-INVALID-some important message]",
         lambda: kms.verify_mac(KeyId=key, Message=message, MacAlgorithm="INVALID", Mac=mac)),
    ):
        matches_recording(error(call), recorded(name, "verify-mac"))


# ---------------------------------------------------------------------------------------
# Encrypt, Decrypt and ReEncrypt with RSA and SM2 keys


@pytest.mark.parametrize("spec", ["RSA_2048", "RSA_3072", "RSA_4096"])
def test_rsa_encryption_both_ways(kms, spec):
    md = make_key(kms, spec, "ENCRYPT_DECRYPT")
    key = md["KeyId"]
    public = load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
    for algorithm, h in (("RSAES_OAEP_SHA_1", hashes.SHA1), ("RSAES_OAEP_SHA_256", hashes.SHA256)):
        oaep = padding.OAEP(mgf=padding.MGF1(h()), algorithm=h(), label=None)
        # Made outside with the public key, decrypted by Coffer.
        outside = public.encrypt(MESSAGE, oaep)
        back = kms.decrypt(KeyId=key, CiphertextBlob=outside, EncryptionAlgorithm=algorithm)
        assert back["Plaintext"] == MESSAGE and back["KeyId"] == md["Arn"] and back["EncryptionAlgorithm"] == algorithm
        # Made by Coffer: the raw RSA output, as long as the modulus.
        out = kms.encrypt(KeyId=key, Plaintext=MESSAGE, EncryptionAlgorithm=algorithm)
        assert out["KeyId"] == md["Arn"] and out["EncryptionAlgorithm"] == algorithm
        assert len(out["CiphertextBlob"]) == int(spec[4:]) // 8
        assert kms.decrypt(KeyId=key, CiphertextBlob=out["CiphertextBlob"], EncryptionAlgorithm=algorithm)["Plaintext"] == MESSAGE
        # The limit AWS states, exactly.
        limit = int(spec[4:]) // 8 - 2 * h.digest_size - 2
        full = os.urandom(limit)
        ct = kms.encrypt(KeyId=key, Plaintext=full, EncryptionAlgorithm=algorithm)["CiphertextBlob"]
        assert kms.decrypt(KeyId=key, CiphertextBlob=ct, EncryptionAlgorithm=algorithm)["Plaintext"] == full
        got = error(lambda: kms.encrypt(KeyId=key, Plaintext=full + b"x", EncryptionAlgorithm=algorithm))
        matches_recording(got, recorded(f"test_encrypt_validate_plaintext_size_per_key_type[{spec}-{algorithm}]",
                                                "generate-random-exc"))
    # An asymmetric ciphertext names no key: the request must.
    ct = kms.encrypt(KeyId=key, Plaintext=MESSAGE, EncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
    assert error(lambda: kms.decrypt(CiphertextBlob=ct))["Error"]["Code"] == "InvalidCiphertextException"
    got = error(lambda: kms.decrypt(KeyId=key, CiphertextBlob=ct))
    assert code(got) == ("InvalidKeyUsageException", f"Algorithm SYMMETRIC_DEFAULT is incompatible with key spec {spec}.")
    got = error(lambda: kms.decrypt(KeyId=key, CiphertextBlob=ct, EncryptionAlgorithm="RSAES_OAEP_SHA_1"))
    assert code(got) == ("InvalidCiphertextException", "")


def test_sm2_encryption_both_ways(kms):
    key = make_key(kms, "SM2", "ENCRYPT_DECRYPT")["KeyId"]
    public = kms.get_public_key(KeyId=key)["PublicKey"]
    out = kms.encrypt(KeyId=key, Plaintext=MESSAGE, EncryptionAlgorithm="SM2PKE")["CiphertextBlob"]
    assert sm2_decrypt_outside_is_impossible_without_the_key(out)
    assert kms.decrypt(KeyId=key, CiphertextBlob=out, EncryptionAlgorithm="SM2PKE")["Plaintext"] == MESSAGE
    outside = sm2_encrypt(public, MESSAGE)
    assert kms.decrypt(KeyId=key, CiphertextBlob=outside, EncryptionAlgorithm="SM2PKE")["Plaintext"] == MESSAGE


def test_re_encrypt_across_kinds_of_key(kms):
    symmetric = kms.create_key()["KeyMetadata"]
    rsa_key = make_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")
    blob = kms.encrypt(KeyId=symmetric["KeyId"], Plaintext=MESSAGE)["CiphertextBlob"]
    to_rsa = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=rsa_key["KeyId"],
                            DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")
    matches_recording({k: v for k, v in to_rsa.items() if k != "SourceKeyMaterialId"},
                   recorded("test_re_encrypt[RSA_2048-RSAES_OAEP_SHA_256]", "test_re_encrypt") | {
                       "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT"})
    assert to_rsa["KeyId"] == rsa_key["Arn"] and to_rsa["SourceKeyId"] == symmetric["Arn"]
    private_less = load_der_public_key(kms.get_public_key(KeyId=rsa_key["KeyId"])["PublicKey"])
    assert private_less.key_size == 2048
    back = kms.decrypt(KeyId=rsa_key["KeyId"], CiphertextBlob=to_rsa["CiphertextBlob"], EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert back["Plaintext"] == MESSAGE
    to_symmetric = kms.re_encrypt(CiphertextBlob=to_rsa["CiphertextBlob"], SourceKeyId=rsa_key["KeyId"],
                                  SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256", DestinationKeyId=symmetric["KeyId"])
    assert to_symmetric["SourceEncryptionAlgorithm"] == "RSAES_OAEP_SHA_256"
    assert to_symmetric["DestinationEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert kms.decrypt(CiphertextBlob=to_symmetric["CiphertextBlob"])["Plaintext"] == MESSAGE


# ---------------------------------------------------------------------------------------
# DeriveSharedSecret


@pytest.mark.parametrize("spec", ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"])
def test_shared_secrets_agree_with_the_peers(kms, spec):
    md = make_key(kms, spec, "KEY_AGREEMENT")
    peer = ec.generate_private_key(CURVES[spec][0]())
    peer_public = peer.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    out = kms.derive_shared_secret(KeyId=md["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=peer_public)
    matches_recording(out, recorded("test_derive_shared_secret", "response"))
    assert out["KeyId"] == md["Arn"] and out["KeyOrigin"] == "AWS_KMS"
    ours = load_der_public_key(kms.get_public_key(KeyId=md["KeyId"])["PublicKey"])
    assert out["SharedSecret"] == peer.exchange(ec.ECDH(), ours)


def test_shared_secret_refusals_match_the_recordings(kms):
    entry = "test_derive_shared_secret"
    peer = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing = make_key(kms, "ECC_NIST_P256", "SIGN_VERIFY")["KeyId"]
    got = error(lambda: kms.derive_shared_secret(KeyId=signing, KeyAgreementAlgorithm="ECDH", PublicKey=peer))
    matches_recording(got, recorded(entry, "response-invalid-key-usage"))
    agreeing = make_key(kms, "ECC_NIST_P256", "KEY_AGREEMENT")["KeyId"]
    got = error(lambda: kms.derive_shared_secret(KeyId=agreeing, KeyAgreementAlgorithm="INVALID", PublicKey=peer))
    matches_recording(got, recorded(entry, "response-invalid-key-agreement-algo"))
    encrypting = kms.create_key()["KeyMetadata"]["KeyId"]
    got = error(lambda: kms.derive_shared_secret(KeyId=encrypting, KeyAgreementAlgorithm="ECDH", PublicKey=peer))
    matches_recording(got, recorded(entry, "response-invalid-key"))
    got = error(lambda: kms.derive_shared_secret(KeyId=agreeing, KeyAgreementAlgorithm="ECDH", PublicKey=b"not a key"))
    matches_recording(got, recorded(entry, "response-invalid-public-key"))
    # A key on another curve is no better.
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    got = error(lambda: kms.derive_shared_secret(KeyId=agreeing, KeyAgreementAlgorithm="ECDH", PublicKey=p384))
    assert code(got) == ("ValidationException", "")


# ---------------------------------------------------------------------------------------
# GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext

DATA_KEY_PAIRS = ["RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
                  "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "SM2"]


@pytest.mark.parametrize("spec", DATA_KEY_PAIRS)
def test_data_key_pairs(kms, spec):
    md = kms.create_key()["KeyMetadata"]
    ec_ = {"purpose": "pairs"}
    out = kms.generate_data_key_pair(KeyId=md["KeyId"], KeyPairSpec=spec, EncryptionContext=ec_)
    assert out["KeyId"] == md["Arn"] and out["KeyPairSpec"] == spec
    assert out["KeyMaterialId"] == md["CurrentKeyMaterialId"]
    # The encrypted copy is the private key under the symmetric key and the context.
    back = kms.decrypt(CiphertextBlob=out["PrivateKeyCiphertextBlob"], EncryptionContext=ec_)
    assert back["Plaintext"] == out["PrivateKeyPlaintext"]
    assert error(lambda: kms.decrypt(CiphertextBlob=out["PrivateKeyCiphertextBlob"]))["Error"]["Code"] == "InvalidCiphertextException"
    if spec == "SM2":
        assert sm2_pair_matches(out["PrivateKeyPlaintext"], out["PublicKey"])
        return
    # The private key is PKCS#8 DER and the public key its SubjectPublicKeyInfo.
    private = load_der_private_key(out["PrivateKeyPlaintext"], password=None)
    assert private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo) == out["PublicKey"]
    without = kms.generate_data_key_pair_without_plaintext(KeyId=md["KeyId"], KeyPairSpec=spec)
    assert "PrivateKeyPlaintext" not in without and without["KeyId"] == md["Arn"]
    private = load_der_private_key(kms.decrypt(CiphertextBlob=without["PrivateKeyCiphertextBlob"])["Plaintext"], None)
    assert private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo) == without["PublicKey"]


def test_data_key_pairs_match_the_recordings(kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    out = kms.generate_data_key_pair(KeyId=key, KeyPairSpec="RSA_2048")
    theirs = recorded_generate("test_generate_data_key_pair", "generate-data-key-pair")
    matches_recording({k: v for k, v in out.items() if k != "KeyMaterialId"}, theirs)
    out = kms.generate_data_key_pair_without_plaintext(KeyId=key, KeyPairSpec="RSA_2048")
    theirs = recorded_generate("test_generate_data_key_pair_without_plaintext", "generate-data-key-pair-without-plaintext")
    matches_recording({k: v for k, v in out.items() if k != "KeyMaterialId"}, theirs)
    for call, name in ((kms.generate_data_key_pair, "test_generate_data_key_pair_dry_run"),
                       (kms.generate_data_key_pair_without_plaintext, "test_generate_data_key_pair_without_plaintext_dry_run")):
        got = error(lambda: call(KeyId=key, KeyPairSpec="ECC_NIST_P256", DryRun=True))
        matches_recording(got, recorded_generate(name, "dryrun_exception"))
    got = error(lambda: kms.generate_data_key_pair(KeyId=key, KeyPairSpec="ML_DSA_44"))
    assert got["Error"]["Code"] == "ValidationException" and "keyPairSpec" in got["Error"]["Message"]
    rsa_key = make_key(kms, "RSA_2048", "ENCRYPT_DECRYPT")["KeyId"]
    got = error(lambda: kms.generate_data_key_pair(KeyId=rsa_key, KeyPairSpec="ECC_NIST_P256"))
    assert code(got) == ("InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.")


def recorded_generate(test, name):
    """A recording of the data key tests (another class of the recorded suite)."""
    return RECORDED["tests/aws/services/kms/test_kms.py::TestKMSGenerateKeys::" + test]["recorded-content"][name]


# ---------------------------------------------------------------------------------------
# Imported key material


def wrap(params, material, algorithm="RSAES_OAEP_SHA_256"):
    """Wraps key material outside Coffer with the public key of GetParametersForImport."""
    public = load_der_public_key(params["PublicKey"])
    if algorithm.startswith("RSA_AES_KEY_WRAP"):
        h = hashes.SHA256 if algorithm.endswith("256") else hashes.SHA1
        aes_key = os.urandom(32)
        wrapped_key = public.encrypt(aes_key, padding.OAEP(mgf=padding.MGF1(h()), algorithm=h(), label=None))
        return wrapped_key + aes_key_wrap_with_padding(aes_key, material)
    h = hashes.SHA256 if algorithm == "RSAES_OAEP_SHA_256" else hashes.SHA1
    return public.encrypt(material, padding.OAEP(mgf=padding.MGF1(h()), algorithm=h(), label=None))


def import_material(kms, key_id, material, algorithm="RSAES_OAEP_SHA_256", spec="RSA_2048", **kw):
    params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=spec)
    kw.setdefault("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    return kms.import_key_material(KeyId=key_id, ImportToken=params["ImportToken"],
                                   EncryptedKeyMaterial=wrap(params, material, algorithm), **kw)


def pkcs8(private):
    return private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())


def spki(public):
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_import_symmetric_material_matches_the_recordings(kms):
    entry = "test_import_key_symmetric"
    key = kms.create_key(Origin="EXTERNAL", Description="imported")["KeyMetadata"]
    matches_recording(key, recorded(entry, "created-key") | {"Description": "imported"})
    got = error(lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=MESSAGE))
    matches_recording(got, recorded(entry, "encrypt-before-import-error"))
    params = kms.get_parameters_for_import(KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_2048")
    matches_recording(params, recorded("test_rotate_key_on_demand_updates_current_key_material_for_external_keys",
                                       "get-import-parameters-response"))
    assert params["KeyId"] == key["Arn"]
    assert load_der_public_key(params["PublicKey"]).key_size == 2048
    valid_to = params["ParametersValidTo"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(hours=23) < valid_to <= datetime.timedelta(hours=24)
    described = kms.describe_key(KeyId=key["KeyId"])
    matches_recording(described, recorded(entry, "describe-key-before-import") | {
        "KeyMetadata": recorded(entry, "describe-key-before-import")["KeyMetadata"] | {"Description": "imported"}})
    material = os.urandom(32)
    wrapped = wrap(params, material)
    got = error(lambda: kms.import_key_material(KeyId=key["KeyId"], ImportToken=params["ImportToken"],
                                                EncryptedKeyMaterial=wrapped))
    matches_recording(got, recorded(entry, "import-expiring-key-without-valid-to"))
    imported = kms.import_key_material(KeyId=key["KeyId"], ImportToken=params["ImportToken"],
                                       EncryptedKeyMaterial=wrapped, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert imported["KeyId"] == key["Arn"] and len(imported["KeyMaterialId"]) == 64
    after = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    theirs = recorded(entry, "describe-key-after-import")["KeyMetadata"] | {"Description": "imported"}
    matches_recording(after, theirs)
    assert after["CurrentKeyMaterialId"] == imported["KeyMaterialId"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=MESSAGE)["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, KeyId=key["KeyId"])["Plaintext"] == MESSAGE

    deleted = kms.delete_imported_key_material(KeyId=key["KeyId"])
    assert deleted == {"KeyId": key["Arn"], "KeyMaterialId": imported["KeyMaterialId"],
                       "ResponseMetadata": deleted["ResponseMetadata"]}
    theirs = recorded(entry, "describe-key-after-deleted-import")["KeyMetadata"] | {"Description": "imported"}
    matches_recording(kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"], theirs)
    matches_recording(error(lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=MESSAGE)),
                      recorded(entry, "encrypt-after-delete-error"))
    assert error(lambda: kms.decrypt(CiphertextBlob=blob))["Error"]["Code"] == "KMSInvalidStateException"

    # Only the same material comes back, and then the old ciphertexts decrypt again.
    got = error(lambda: import_material(kms, key["KeyId"], os.urandom(32)))
    assert got["Error"]["Code"] == "IncorrectKeyMaterialException"
    again = import_material(kms, key["KeyId"], material)
    assert again["KeyMaterialId"] == imported["KeyMaterialId"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == MESSAGE

    # A token of another key, or no token at all, is refused.
    other = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    foreign = kms.get_parameters_for_import(KeyId=other, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")
    got = error(lambda: kms.import_key_material(KeyId=key["KeyId"], ImportToken=foreign["ImportToken"],
                                                EncryptedKeyMaterial=wrap(foreign, material),
                                                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE"))
    assert got["Error"]["Code"] == "InvalidImportTokenException"
    # Material wrapped for another wrapping key does not unwrap.
    got = error(lambda: kms.import_key_material(KeyId=other, ImportToken=foreign["ImportToken"],
                                                EncryptedKeyMaterial=wrap(params, material),
                                                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE"))
    assert got["Error"]["Code"] == "InvalidCiphertextException"


def test_imported_material_that_expires(kms):
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    valid_to = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)
    import_material(kms, key, os.urandom(32), ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=valid_to)
    md = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert md["ExpirationModel"] == "KEY_MATERIAL_EXPIRES" and abs((md["ValidTo"] - valid_to).total_seconds()) < 1


@pytest.mark.parametrize("spec,algorithm,wrapping,wrapping_spec", [
    ("ECC_NIST_P256", "ECDSA_SHA_256", "RSAES_OAEP_SHA_1", "RSA_2048"),
    ("ECC_NIST_P384", "ECDSA_SHA_384", "RSAES_OAEP_SHA_1", "RSA_2048"),
    ("ECC_NIST_P521", "ECDSA_SHA_512", "RSAES_OAEP_SHA_256", "RSA_4096"),
    ("ECC_SECG_P256K1", "ECDSA_SHA_256", "RSAES_OAEP_SHA_1", "RSA_2048"),
])
def test_imported_signing_keys_match_the_recordings(kms, spec, algorithm, wrapping, wrapping_spec):
    entry = f"test_import_key_ecc_keys[{spec}]"
    key = make_key(kms, spec, "SIGN_VERIFY", Origin="EXTERNAL", Description="test ecc key import")
    matches_recording(kms.describe_key(KeyId=key["KeyId"]), recorded(entry, "describe-key-before-import"))
    private = ec.generate_private_key(CURVES[spec][0]())
    import_material(kms, key["KeyId"], pkcs8(private), wrapping, wrapping_spec)
    matches_recording(kms.describe_key(KeyId=key["KeyId"]), recorded(entry, "describe-key-after-import"))
    assert kms.get_public_key(KeyId=key["KeyId"])["PublicKey"] == spki(private.public_key())
    signed = kms.sign(KeyId=key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm=algorithm)
    matches_recording(signed, recorded(entry, "sign-result"))
    private.public_key().verify(signed["Signature"], MESSAGE, ec.ECDSA(hash_of(algorithm)))
    # Signed outside with the imported private key, verified by Coffer.
    outside = private.sign(MESSAGE, ec.ECDSA(hash_of(algorithm)))
    verified = kms.verify(KeyId=key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm=algorithm,
                          Signature=outside)
    matches_recording(verified, recorded(entry, "verify-result"))
    kms.delete_imported_key_material(KeyId=key["KeyId"])
    matches_recording(kms.describe_key(KeyId=key["KeyId"]), recorded(entry, "describe-key-after-deleted-import"))
    # A key pair takes back its own material only.
    other = pkcs8(ec.generate_private_key(CURVES[spec][0]()))
    got = error(lambda: import_material(kms, key["KeyId"], other, wrapping, wrapping_spec))
    assert got["Error"]["Code"] == "IncorrectKeyMaterialException"


def test_imported_rsa_key_with_aes_key_wrap_matches_the_recordings(kms):
    entry = "test_import_key_rsa_aes_wrap_sha256"
    key = make_key(kms, "RSA_4096", "ENCRYPT_DECRYPT", Origin="EXTERNAL", Description="test-key")
    matches_recording(kms.describe_key(KeyId=key["KeyId"]), recorded(entry, "describe-before-import"))
    private = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    import_material(kms, key["KeyId"], pkcs8(private), "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096")
    matches_recording(kms.describe_key(KeyId=key["KeyId"]), recorded(entry, "import-key-material-response"))
    assert kms.get_public_key(KeyId=key["KeyId"])["PublicKey"] == spki(private.public_key())
    # Encrypted by Coffer, decrypted outside with the imported private key.
    ct = kms.encrypt(KeyId=key["KeyId"], Plaintext=MESSAGE, EncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    assert private.decrypt(ct, oaep) == MESSAGE
    kms.delete_imported_key_material(KeyId=key["KeyId"])
    matches_recording(kms.describe_key(KeyId=key["KeyId"]), recorded(entry, "describe-key-after-deleted-import"))


@pytest.mark.parametrize("spec,length", [("HMAC_224", 28), ("HMAC_256", 32), ("HMAC_384", 48), ("HMAC_512", 64)])
def test_imported_hmac_keys_match_the_recordings(kms, spec, length):
    entry = f"test_import_key_hmac_keys[{spec}]"
    algorithm = "HMAC_SHA_" + spec[5:]
    key = make_key(kms, spec, "GENERATE_VERIFY_MAC", Origin="EXTERNAL", Description="test import hmac key")
    matches_recording(kms.describe_key(KeyId=key["KeyId"]), recorded(entry, "describe-key-before-import"))
    material = os.urandom(length)
    import_material(kms, key["KeyId"], material, spec="RSA_4096")
    matches_recording(kms.describe_key(KeyId=key["KeyId"]), recorded(entry, "describe-key-after-import"))
    message = b"test-mac-message"
    made = kms.generate_mac(KeyId=key["KeyId"], Message=message, MacAlgorithm=algorithm)
    matches_recording(made, recorded(entry, "generate-mac-response"))
    digestmod = {"HMAC_224": hashlib.sha224, "HMAC_256": hashlib.sha256, "HMAC_384": hashlib.sha384,
                 "HMAC_512": hashlib.sha512}[spec]
    # Exactly HMAC(material, message), both ways.
    assert made["Mac"] == hmac.new(material, message, digestmod).digest()
    outside = hmac.new(material, b"made outside", digestmod).digest()
    assert kms.verify_mac(KeyId=key["KeyId"], Message=b"made outside", MacAlgorithm=algorithm, Mac=outside)["MacValid"]
    checked = kms.verify_mac(KeyId=key["KeyId"], Message=message, Mac=made["Mac"], MacAlgorithm=algorithm)
    matches_recording(checked, recorded(entry, "verify-mac-response"))
    kms.delete_imported_key_material(KeyId=key["KeyId"])
    matches_recording(kms.describe_key(KeyId=key["KeyId"]), recorded(entry, "describe-key-after-deleted-import"))


def test_sm2_wrapped_import(kms):
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    params = kms.get_parameters_for_import(KeyId=key, WrappingAlgorithm="SM2PKE", WrappingKeySpec="SM2")
    material = os.urandom(32)
    kms.import_key_material(KeyId=key, ImportToken=params["ImportToken"],
                            EncryptedKeyMaterial=sm2_encrypt(params["PublicKey"], material),
                            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert kms.decrypt(CiphertextBlob=kms.encrypt(KeyId=key, Plaintext=MESSAGE)["CiphertextBlob"])["Plaintext"] == MESSAGE
    got = error(lambda: kms.get_parameters_for_import(KeyId=key, WrappingAlgorithm="SM2PKE", WrappingKeySpec="RSA_2048"))
    assert got["Error"]["Code"] == "ValidationException"


def test_import_refusals_match_the_recordings(kms):
    aws_key = kms.create_key()["KeyMetadata"]["KeyId"]
    got = error(lambda: kms.get_parameters_for_import(KeyId=aws_key, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                                      WrappingKeySpec="RSA_2048"))
    matches_recording(got, recorded("test_get_parameters_for_import_raises_for_non_external_kms_keys",
                                    "get-import-parameters-error"))
    got = error(lambda: kms.delete_imported_key_material(KeyId=aws_key))
    assert code(got) == ("UnsupportedOperationException",
                         f"{arn_of(kms, aws_key)} origin is AWS_KMS which is not valid for this operation.")
    for spec in ("SYMMETRIC_DEFAULT", "RSA_4096"):
        external = kms.create_key(Origin="EXTERNAL", KeyUsage="ENCRYPT_DECRYPT", Description="test-key")["KeyMetadata"]
        matches_recording(external, recorded(f"test_rotate_key_on_demand_on_external_key_with_no_key_material[{spec}]",
                                             "create-kms-external-key"))
        got = error(lambda: kms.rotate_key_on_demand(KeyId=external["KeyId"]))
        matches_recording(got, recorded(f"test_rotate_key_on_demand_on_external_key_with_no_key_material[{spec}]",
                                        f"rotate-key-on-demand-error-response-{spec}"))


def test_rotation_onto_imported_material_matches_the_recordings(kms):
    entry = "test_rotate_key_on_demand_updates_current_key_material_for_external_keys"
    key = kms.create_key(Origin="EXTERNAL", KeyUsage="ENCRYPT_DECRYPT", Description="test-key")["KeyMetadata"]
    first = import_material(kms, key["KeyId"], os.urandom(32))
    matches_recording(first, recorded(entry, "import-key-material-response"))
    matches_recording(kms.describe_key(KeyId=key["KeyId"]), recorded(entry, "describe-key-with-material-response"))
    got = error(lambda: kms.rotate_key_on_demand(KeyId=key["KeyId"]))
    matches_recording(got, recorded("test_rotate_key_on_demand_raises_for_no_pending_key_material",
                                    "rotate-key-on-demand-invalid-state-error"))
    old = kms.encrypt(KeyId=key["KeyId"], Plaintext=MESSAGE)
    matches_recording(old, recorded(entry, "kms-encrypt-initial-response"))
    new = import_material(kms, key["KeyId"], os.urandom(32), ImportType="NEW_KEY_MATERIAL")
    matches_recording(new, recorded(entry, "import-new-key-material-response"))
    assert new["KeyMaterialId"] != first["KeyMaterialId"]
    pending = kms.describe_key(KeyId=key["KeyId"])
    matches_recording(pending, recorded(entry, "describe-key-with-new-material-response"))
    assert pending["KeyMetadata"]["CurrentKeyMaterialId"] == first["KeyMaterialId"]
    got = error(lambda: import_material(kms, key["KeyId"], os.urandom(32), ImportType="NEW_KEY_MATERIAL"))
    matches_recording(got, recorded("test_import_key_material_raises_if_there_is_already_key_material_pending",
                                    "existing-pending-material-error"))
    rotated = kms.rotate_key_on_demand(KeyId=key["KeyId"])
    matches_recording(rotated, recorded(entry, "rotate-key-on-demand-response"))
    after = kms.describe_key(KeyId=key["KeyId"])
    matches_recording(after, recorded(entry, "describe-key-after-rotation"))
    assert after["KeyMetadata"]["CurrentKeyMaterialId"] == new["KeyMaterialId"]
    assert kms.decrypt(CiphertextBlob=old["CiphertextBlob"], KeyId=key["KeyId"])["Plaintext"] == MESSAGE
    fresh = kms.encrypt(KeyId=key["KeyId"], Plaintext=MESSAGE)
    matches_recording(fresh, recorded(entry, "kms-encrypt-rotated-key-response"))
    assert kms.decrypt(CiphertextBlob=fresh["CiphertextBlob"])["Plaintext"] == MESSAGE


def test_key_rotations_list_imported_material(kms):
    key = kms.create_key(Origin="EXTERNAL", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    arn = key["Arn"]
    assert kms.list_key_rotations(KeyId=arn, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"] == []
    valid_to = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(days=30)
    first = import_material(kms, key["KeyId"], os.urandom(32), ExpirationModel="KEY_MATERIAL_EXPIRES",
                            ValidTo=valid_to, KeyMaterialDescription="first batch")["KeyMaterialId"]
    second = import_material(kms, key["KeyId"], os.urandom(32), ImportType="NEW_KEY_MATERIAL")["KeyMaterialId"]
    assert kms.list_key_rotations(KeyId=arn)["Rotations"] == []
    listed = kms.list_key_rotations(KeyId=arn, IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert listed["Truncated"] is False
    assert listed["Rotations"] == [
        {"KeyId": arn, "KeyMaterialId": first, "KeyMaterialDescription": "first batch", "ImportState": "IMPORTED",
         "KeyMaterialState": "CURRENT", "ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": valid_to},
        {"KeyId": arn, "KeyMaterialId": second, "ImportState": "IMPORTED", "KeyMaterialState": "PENDING_ROTATION",
         "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"},
    ]
    kms.rotate_key_on_demand(KeyId=arn)
    [rotation] = kms.list_key_rotations(KeyId=arn)["Rotations"]
    assert (rotation["KeyMaterialId"], rotation["KeyMaterialState"], rotation["RotationType"]) == (second, "CURRENT", "ON_DEMAND")
    assert isinstance(rotation["RotationDate"], datetime.datetime)
    kms.delete_imported_key_material(KeyId=arn, KeyMaterialId=first)
    old = kms.list_key_rotations(KeyId=arn, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"][0]
    assert old == {"KeyId": arn, "KeyMaterialId": first, "KeyMaterialDescription": "first batch",
                   "ImportState": "PENDING_IMPORT", "KeyMaterialState": "NON_CURRENT"}
    # Pages of one.
    page = kms.list_key_rotations(KeyId=arn, IncludeKeyMaterial="ALL_KEY_MATERIAL", Limit=1)
    assert [r["KeyMaterialId"] for r in page["Rotations"]] == [first] and page["Truncated"] is True
    rest = kms.list_key_rotations(KeyId=arn, IncludeKeyMaterial="ALL_KEY_MATERIAL", Marker=page["NextMarker"])
    assert [r["KeyMaterialId"] for r in rest["Rotations"]] == [second] and rest["Truncated"] is False


# ---------------------------------------------------------------------------------------
# SM2 outside Coffer: gmssl, a pure-Python implementation of GM/T 0003


def sm2_public_hex(spki):
    """The uncompressed point of an SM2 SubjectPublicKeyInfo, as gmssl wants it (no 04)."""
    point = spki[-65:]
    assert point[0] == 4
    return point[1:].hex()


def sm2_verify(spki, message, der_signature):
    from gmssl import sm2
    r, s = utils.decode_dss_signature(der_signature)
    verifier = sm2.CryptSM2(private_key="", public_key=sm2_public_hex(spki))
    # With the default distinguishing identifier, Z is hashed in by the library.
    return verifier.verify_with_sm3(f"{r:064x}{s:064x}", message)


def sm2_encrypt(spki, message):
    """SM2PKE outside Coffer, re-encoded as the DER `C1 C3 C2` sequence AWS uses."""
    from gmssl import sm2
    raw = sm2.CryptSM2(private_key="", public_key=sm2_public_hex(spki), mode=1).encrypt(message)
    x, y, c3, c2 = raw[:32], raw[32:64], raw[64:96], raw[96:]
    return der_sequence(der_integer(x) + der_integer(y) + der_octets(c3) + der_octets(c2))


def sm2_decrypt_outside_is_impossible_without_the_key(ciphertext):
    # The ciphertext is a DER sequence of x, y, the SM3 hash and the masked text.
    return ciphertext[0] == 0x30


def sm2_pair_matches(pkcs8, spki):
    """The SM2 private scalar of a PKCS#8 document times the generator is the public point."""
    from gmssl import sm2
    scalar = sm2_private_scalar(pkcs8)
    signer = sm2.CryptSM2(private_key=scalar.hex(), public_key=sm2_public_hex(spki))
    return signer._kg(int(scalar.hex(), 16), sm2.default_ecc_table["g"]) == sm2_public_hex(spki)


def sm2_private_scalar(pkcs8):
    # PrivateKeyInfo's privateKey is an ECPrivateKey whose second member is the 32-byte scalar.
    marker = pkcs8.find(b"\x04\x20", pkcs8.find(b"\x02\x01\x01"))
    return pkcs8[marker + 2: marker + 34]


def der_length(n):
    return bytes([n]) if n < 0x80 else bytes([0x81, n]) if n < 0x100 else bytes([0x82, n >> 8, n & 0xFF])


def der_integer(b):
    b = b.lstrip(b"\x00") or b"\x00"
    if b[0] & 0x80:
        b = b"\x00" + b
    return b"\x02" + der_length(len(b)) + b


def der_octets(b):
    return b"\x04" + der_length(len(b)) + b


def der_sequence(b):
    return b"\x30" + der_length(len(b)) + b
