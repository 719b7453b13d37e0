//! SM2 and SM3: the GB/T (GM/T) worked examples on the recommended curve, and a second SM2
//! implementation (`libsm`: big-integer arithmetic and its own SM3) checking this crate's
//! keys, signatures, ciphertexts and shared secrets, and the other way round.

use coffer_crypto::{
    EncryptionAlgorithm, KeySpec, MessageType, SM2_DEFAULT_DISTINGUISHING_ID, Secret,
    SigningAlgorithm, SystemRandom, asymmetric_decrypt, asymmetric_encrypt, derive_shared_secret,
    generate_data_key_pair, generate_material, public_key_spki, sign, verify,
};
use libsm::sm2::ecc::{EccCtx, Point};
use libsm::sm2::encrypt::{DecryptCtx, EncryptCtx};
use libsm::sm2::signature::{SigCtx, Signature};
use pkcs8::der::Decode;
use pkcs8::der::asn1::ObjectIdentifier;
use pkcs8::spki::SubjectPublicKeyInfoRef;
use sm3::Digest;

use crate::vectors::{self, field};

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SM2P256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");

// --- a little DER, written here rather than borrowed from the implementation under test ---

fn der(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match body.len() {
        len @ 0..=0x7f => out.push(len as u8),
        len @ 0x80..=0xff => out.extend_from_slice(&[0x81, len as u8]),
        len => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(body);
    out
}

fn der_unsigned(bytes: &[u8]) -> Vec<u8> {
    let mut body: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if body.first().is_none_or(|b| b & 0x80 != 0) {
        body.insert(0, 0);
    }
    der(0x02, &body)
}

/// Reads one TLV from the front of `input`: (tag, value, rest).
fn read_tlv(input: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = input[0];
    let (len, header) = match input[1] {
        len @ 0..=0x7f => (usize::from(len), 2),
        0x81 => (usize::from(input[2]), 3),
        0x82 => ((usize::from(input[2]) << 8) | usize::from(input[3]), 4),
        other => panic!("length form {other:#x}"),
    };
    (tag, &input[header..header + len], &input[header + len..])
}

/// A 32-byte big-endian field element from a DER INTEGER's value.
fn fixed32(integer: &[u8]) -> Vec<u8> {
    let significant: Vec<u8> = integer.iter().copied().skip_while(|b| *b == 0).collect();
    let mut out = vec![0; 32 - significant.len()];
    out.extend_from_slice(&significant);
    out
}

/// The DER SM2 ciphertext (GM/T 0009: `SEQUENCE { x, y, C3, C2 }`) of `C1 ‖ C3 ‖ C2` parts.
fn ciphertext_der(x: &[u8], y: &[u8], c3: &[u8], c2: &[u8]) -> Vec<u8> {
    der(0x30, &[der_unsigned(x), der_unsigned(y), der(0x04, c3), der(0x04, c2)].concat())
}

/// The parts (x, y, C3, C2) of a DER SM2 ciphertext.
fn ciphertext_parts(ciphertext: &[u8]) -> [Vec<u8>; 4] {
    let (tag, body, rest) = read_tlv(ciphertext);
    assert_eq!((tag, rest.len()), (0x30, 0));
    let (t1, x, body) = read_tlv(body);
    let (t2, y, body) = read_tlv(body);
    let (t3, c3, body) = read_tlv(body);
    let (t4, c2, body) = read_tlv(body);
    assert_eq!((t1, t2, t3, t4, body.len()), (0x02, 0x02, 0x04, 0x04, 0));
    [fixed32(x), fixed32(y), c3.to_vec(), c2.to_vec()]
}

/// A PKCS#8 document for the SM2 private scalar `d`, the way OpenSSL writes one.
fn pkcs8_of(d: &[u8]) -> Secret {
    let algorithm = der(
        0x30,
        &[der(0x06, ID_EC_PUBLIC_KEY.as_bytes()), der(0x06, SM2P256V1.as_bytes())].concat(),
    );
    let ec_private_key = der(0x30, &[der(0x02, &[1]), der(0x04, d)].concat());
    Secret::new(der(0x30, &[der(0x02, &[0]), algorithm, der(0x04, &ec_private_key)].concat()))
}

/// The private scalar inside an SM2 PKCS#8 document, read with the generic PKCS#8 and SEC 1
/// readers after checking the algorithm is `id-ecPublicKey` on `sm2p256v1`.
fn scalar_of(pkcs8: &[u8]) -> Vec<u8> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(pkcs8).unwrap();
    assert_eq!(info.algorithm.oid, ID_EC_PUBLIC_KEY);
    assert_eq!(info.algorithm.parameters_oid().unwrap(), SM2P256V1);
    let ec = sec1::EcPrivateKey::from_der(info.private_key.as_bytes()).unwrap();
    ec.private_key.to_vec()
}

/// The uncompressed point inside an SM2 SubjectPublicKeyInfo, after checking its algorithm.
fn point_of(spki: &[u8]) -> Vec<u8> {
    let info = SubjectPublicKeyInfoRef::from_der(spki).unwrap();
    assert_eq!(info.algorithm.oid, ID_EC_PUBLIC_KEY);
    assert_eq!(info.algorithm.parameters_oid().unwrap(), SM2P256V1);
    info.subject_public_key.raw_bytes().to_vec()
}

/// The libsm public key of an SM2 SubjectPublicKeyInfo.
pub fn libsm_public_key(spki: &[u8]) -> Point {
    SigCtx::new().load_pubkey(&point_of(spki)).unwrap()
}

/// Encrypts with libsm (which writes `C1 ‖ C2 ‖ C3`) and re-encodes as the DER `C1 C3 C2`
/// that the APIs use.
pub fn libsm_encrypt_der(public: &Point, plaintext: &[u8]) -> Vec<u8> {
    let raw = EncryptCtx::new(plaintext.len(), *public).encrypt(plaintext).unwrap();
    let (c1, rest) = raw.split_at(65);
    let (c2, c3) = rest.split_at(rest.len() - 32);
    ciphertext_der(&c1[1..33], &c1[33..65], c3, c2)
}

#[test]
fn sm3_gbt_32905_examples() {
    let records = vectors::load("sm3.txt");
    assert_eq!(records.len(), 2);
    for record in &records {
        let message = field(record, "message");
        assert_eq!(sm3::Sm3::digest(message).as_slice(), field(record, "digest"));
        assert_eq!(libsm::sm3::hash::Sm3Hash::new(message).get_hash(), field(record, "digest"));
    }
}

#[test]
fn sm2_gbt_32918_example_signature() {
    let records = vectors::load("sm2.txt");
    let key = &records[0];
    let signature = &records[1];
    let material = pkcs8_of(field(key, "private"));
    let spki = public_key_spki(KeySpec::Sm2, &material).unwrap();
    let public = [&[0x04][..], field(key, "public_x"), field(key, "public_y")].concat();
    assert_eq!(point_of(&spki), public, "the public key is d·G");

    assert_eq!(field(signature, "id"), SM2_DEFAULT_DISTINGUISHING_ID.as_bytes());
    let message = field(signature, "message");
    let e = field(signature, "e");
    // The example's e is SM3(Z ‖ M) for this key and ID (computed elsewhere, by libsm).
    let libsm_public = libsm_public_key(&spki);
    assert_eq!(SigCtx::new().hash("1234567812345678", &libsm_public, message).unwrap(), e);

    let der_signature = der(
        0x30,
        &[der_unsigned(field(signature, "r")), der_unsigned(field(signature, "s"))].concat(),
    );
    let algorithm = SigningAlgorithm::Sm2Dsa;
    assert!(
        verify(KeySpec::Sm2, &spki, algorithm, MessageType::Raw, message, &der_signature).unwrap()
    );
    assert!(
        verify(KeySpec::Sm2, &spki, algorithm, MessageType::Digest, e, &der_signature).unwrap()
    );
    assert!(
        !verify(
            KeySpec::Sm2,
            &spki,
            algorithm,
            MessageType::Raw,
            b"message digesT",
            &der_signature
        )
        .unwrap()
    );
}

#[test]
fn sm2_gbt_32918_example_decryption() {
    let records = vectors::load("sm2.txt");
    let material = pkcs8_of(field(&records[0], "private"));
    let encryption = &records[2];
    let ciphertext = ciphertext_der(
        field(encryption, "c1_x"),
        field(encryption, "c1_y"),
        field(encryption, "c3"),
        field(encryption, "c2"),
    );
    let plaintext =
        asymmetric_decrypt(KeySpec::Sm2, &material, EncryptionAlgorithm::Sm2Pke, &ciphertext)
            .unwrap();
    assert_eq!(plaintext.expose(), field(encryption, "plaintext"));
    assert_eq!(plaintext.expose(), b"encryption standard");
}

#[test]
fn keys_read_elsewhere_and_agree() {
    let ctx = SigCtx::new();
    for _ in 0..4 {
        let (private, spki) = generate_data_key_pair(KeySpec::Sm2, &SystemRandom).unwrap();
        let d = ctx.load_seckey(&scalar_of(private.expose())).unwrap();
        let derived = ctx.serialize_pubkey(&ctx.pk_from_sk(&d).unwrap(), false).unwrap();
        assert_eq!(derived, point_of(&spki));
    }
}

#[test]
fn signatures_cross_both_ways() {
    let ctx = SigCtx::new();
    let material = generate_material(KeySpec::Sm2, &SystemRandom).unwrap();
    let spki = public_key_spki(KeySpec::Sm2, &material).unwrap();
    let public = libsm_public_key(&spki);
    let d = ctx.load_seckey(&scalar_of(material.expose())).unwrap();
    let algorithm = SigningAlgorithm::Sm2Dsa;
    let message = b"signed on one side, verified on the other";

    let ours = sign(KeySpec::Sm2, &material, algorithm, MessageType::Raw, message).unwrap();
    assert!(ctx.verify(message, &public, &Signature::der_decode(&ours).unwrap()).unwrap());

    let e = ctx.hash("1234567812345678", &public, message).unwrap();
    let ours_over_e = sign(KeySpec::Sm2, &material, algorithm, MessageType::Digest, &e).unwrap();
    assert!(ctx.verify(message, &public, &Signature::der_decode(&ours_over_e).unwrap()).unwrap());

    let theirs = ctx.sign(message, &d, &public).unwrap().der_encode();
    assert!(verify(KeySpec::Sm2, &spki, algorithm, MessageType::Raw, message, &theirs).unwrap());
    assert!(verify(KeySpec::Sm2, &spki, algorithm, MessageType::Digest, &e, &theirs).unwrap());
}

#[test]
fn ciphertexts_cross_both_ways() {
    let ctx = SigCtx::new();
    let material = generate_material(KeySpec::Sm2, &SystemRandom).unwrap();
    let spki = public_key_spki(KeySpec::Sm2, &material).unwrap();
    let public = libsm_public_key(&spki);
    let d = ctx.load_seckey(&scalar_of(material.expose())).unwrap();
    for plaintext in [&b"x"[..], &[0xEE; 1024][..]] {
        let ours = asymmetric_encrypt(
            KeySpec::Sm2,
            &spki,
            EncryptionAlgorithm::Sm2Pke,
            plaintext,
            &SystemRandom,
        )
        .unwrap();
        let [x, y, c3, c2] = ciphertext_parts(&ours);
        let raw = [&[0x04][..], &x, &y, &c2, &c3].concat();
        assert_eq!(DecryptCtx::new(plaintext.len(), d.clone()).decrypt(&raw).unwrap(), plaintext);

        let theirs = libsm_encrypt_der(&public, plaintext);
        let decrypted =
            asymmetric_decrypt(KeySpec::Sm2, &material, EncryptionAlgorithm::Sm2Pke, &theirs)
                .unwrap();
        assert_eq!(decrypted.expose(), plaintext);
    }
}

#[test]
fn shared_secrets_agree_with_the_other_implementation() {
    let ctx = SigCtx::new();
    let curve = EccCtx::new();
    let ours = generate_material(KeySpec::Sm2, &SystemRandom).unwrap();
    let (peer_private, peer_spki) = generate_data_key_pair(KeySpec::Sm2, &SystemRandom).unwrap();
    let shared = derive_shared_secret(KeySpec::Sm2, &ours, &peer_spki).unwrap();

    let d = ctx.load_seckey(&scalar_of(ours.expose())).unwrap();
    let (x, _) = curve.to_affine(&curve.mul(&d, &libsm_public_key(&peer_spki)).unwrap()).unwrap();
    assert_eq!(shared.expose(), &x.to_bytes()[..]);

    let our_spki = public_key_spki(KeySpec::Sm2, &ours).unwrap();
    let back = derive_shared_secret(KeySpec::Sm2, &peer_private, &our_spki).unwrap();
    assert_eq!(back.expose(), shared.expose());
}
