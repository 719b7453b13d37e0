"""Imported key material compared member by member with the responses recorded from the real AWS KMS
(recorded/README.md): GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial and on-demand
rotation of EXTERNAL keys, for the recorded entries that tests/aws/test_asymmetric.py does not compare.
Each test repeats the calls of the recorded test of the same name; placeholders such as `<key-id:1>` that
name one value in several places are checked to be that value.

`test_rotate_key_on_demand_raises_error_given_key_with_imported_key_material` (recorded in March 2025) is
not repeated: AWS's November 2025 recording of the same call,
`test_rotate_key_on_demand_on_external_key_with_no_key_material[SYMMETRIC_DEFAULT]`, answers it differently,
and test_asymmetric.py compares that one."""

import datetime
import os
import uuid

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from test_asymmetric import MESSAGE, error, import_material, matches_recording, pkcs8, spki, wrap
from test_recorded import recorded


def external_key(kms, **kw):
    """An EXTERNAL key as the recorded suite makes it (its fixture's default description)."""
    kw.setdefault("Description", f"test description - {uuid.uuid4().hex[:8]}")
    return kms.create_key(Origin="EXTERNAL", **kw)["KeyMetadata"]


def describe(kms, key):
    return kms.describe_key(KeyId=key["KeyId"])


def test_import_key_asymmetric(kms):
    entry = "test_import_key_asymmetric"
    key = external_key(kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    matches_recording(key, recorded(entry, "created-key"))
    private = ec.generate_private_key(ec.SECP256R1())
    params = kms.get_parameters_for_import(KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_2048")
    matches_recording(describe(kms, key), recorded(entry, "describe-key-before-import"))
    kms.import_key_material(KeyId=key["KeyId"], ImportToken=params["ImportToken"],
                            EncryptedKeyMaterial=wrap(params, pkcs8(private)),
                            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    matches_recording(describe(kms, key), recorded(entry, "describe-key-after-import"))
    assert kms.get_public_key(KeyId=key["KeyId"])["PublicKey"] == spki(private.public_key())
    signed = kms.sign(KeyId=key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256")
    assert kms.verify(KeyId=key["KeyId"], Message=MESSAGE, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256",
                      Signature=signed["Signature"])["SignatureValid"]
    kms.delete_imported_key_material(KeyId=key["KeyId"])
    matches_recording(describe(kms, key), recorded(entry, "describe-key-after-deleted-import"))


def test_get_parameters_for_import(kms):
    key = external_key(kms, KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")
    params = kms.get_parameters_for_import(KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_4096")
    assert params["KeyId"] == key["Arn"] and params["ImportToken"]
    assert load_der_public_key(params["PublicKey"]).key_size == 4096
    assert isinstance(params["ParametersValidTo"], datetime.datetime)
    aws_key = kms.create_key(Description=f"test description - {uuid.uuid4().hex[:8]}")["KeyMetadata"]
    got = error(lambda: kms.get_parameters_for_import(KeyId=aws_key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                                      WrappingKeySpec="RSA_4096"))
    matches_recording(got, recorded("test_get_parameters_for_import", "response-error"))
    assert got["Error"]["Message"].startswith(aws_key["Arn"] + " origin")


def test_rotate_key_on_demand_for_external_keys_decrypts_with_previous_material(kms):
    entry = "test_rotate_key_on_demand_for_external_keys_decrypts_with_previous_material"
    key = external_key(kms, KeyUsage="ENCRYPT_DECRYPT", Description="test-key")
    matches_recording(key, recorded(entry, "create-kms-external-key"))
    first = import_material(kms, key["KeyId"], os.urandom(32))
    matches_recording(first, recorded(entry, "import-key-material-response"))
    assert first["KeyId"] == key["Arn"]
    old = kms.encrypt(KeyId=key["KeyId"], Plaintext=MESSAGE, EncryptionAlgorithm="SYMMETRIC_DEFAULT")
    matches_recording(old, recorded(entry, "kms-encrypt-initial-response"))
    assert old["KeyId"] == key["Arn"]
    # Rotating needs material pending rotation: imported as new, not snapshotted in the recording.
    second = import_material(kms, key["KeyId"], os.urandom(32), ImportType="NEW_KEY_MATERIAL")
    rotated = kms.rotate_key_on_demand(KeyId=key["KeyId"])
    matches_recording(rotated, recorded(entry, "rotate-key-on-demand-response"))
    assert rotated["KeyId"] == key["Arn"]
    assert kms.decrypt(CiphertextBlob=old["CiphertextBlob"], KeyId=key["KeyId"])["Plaintext"] == MESSAGE
    assert describe(kms, key)["KeyMetadata"]["CurrentKeyMaterialId"] == second["KeyMaterialId"]


def test_external_key_before_import(kms):
    """The first steps of test_rotate_key_on_demand_updates_current_key_material_for_external_keys, whose later
    steps test_asymmetric.py compares."""
    entry = "test_rotate_key_on_demand_updates_current_key_material_for_external_keys"
    key = external_key(kms, KeyUsage="ENCRYPT_DECRYPT", Description="test-key")
    matches_recording(key, recorded(entry, "create-kms-external-key"))
    params = kms.get_parameters_for_import(KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_2048")
    matches_recording(params, recorded(entry, "get-import-parameters-response"))
    matches_recording(describe(kms, key), recorded(entry, "describe-empty-key-response"))


def test_import_key_material_raises_if_there_is_already_key_material_pending(kms):
    entry = "test_import_key_material_raises_if_there_is_already_key_material_pending"
    key = external_key(kms)["KeyId"]
    first = import_material(kms, key, os.urandom(32))
    matches_recording(first, recorded(entry, "import-initial-material-response"))
    second = import_material(kms, key, os.urandom(32), ImportType="NEW_KEY_MATERIAL")
    matches_recording(second, recorded(entry, "import-pending-material-response"))
    assert second["KeyId"] == first["KeyId"] and second["KeyMaterialId"] != first["KeyMaterialId"]
    got = error(lambda: import_material(kms, key, os.urandom(32), ImportType="NEW_KEY_MATERIAL"))
    matches_recording(got, recorded(entry, "existing-pending-material-error"))
    # `<key-id:1>` stands for the whole KeyId the imports returned (the key ARN, as the other recordings of
    # ImportKeyMaterial show), so the message names the key by its ARN; `<key-material-id:2>` is the pending material.
    message = got["Error"]["Message"]
    assert f" into KMS key {first['KeyId']}, " in message
    assert f"another key material (id: {second['KeyMaterialId']}) is pending" in message


def test_generate_mac_of_invalid_verify_mac_entries(kms):
    """`generate-mac` of the three test_invalid_verify_mac entries (their names contain "important"); their
    `verify-mac` is compared in test_asymmetric.py."""
    key = kms.create_key(Description="test hmac key", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    made = kms.generate_mac(KeyId=key["KeyId"], Message=b"some important message", MacAlgorithm="HMAC_SHA_256")
    for verify_msg, algorithm in (("some different important message", "HMAC_SHA_256"),
                                  ("some important message", "HMAC_SHA_512"), ("some important message", "INVALID")):
        matches_recording(made, recorded(f"test_invalid_verify_mac[HMAC_256-{algorithm}-{verify_msg}]", "generate-mac"))
