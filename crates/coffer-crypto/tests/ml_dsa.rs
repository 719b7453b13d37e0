//! ML-DSA, checked by RustCrypto's `ml-dsa` against aws-lc-rs: pure signatures made by one
//! verify with the other, and signatures over an external mu (computed here from the public
//! key and the message with `sha3`'s SHAKE256, per FIPS 204) are pure signatures of the
//! message.

use coffer_crypto::{
    KeySpec, MessageType, SigningAlgorithm, SystemRandom, generate_data_key_pair,
    generate_material, public_key_spki, sign, verify,
};
use ml_dsa::signature::{Keypair, Signer, Verifier};
use ml_dsa::{EncodedSignature, MlDsaParams, Signature, SigningKey, VerifyingKey};
use pkcs8::{DecodePrivateKey, DecodePublicKey};
use sha3::Shake256;
use sha3::digest::{ExtendableOutput, Update, XofReader};

const ALGORITHM: SigningAlgorithm = SigningAlgorithm::MlDsaShake256;

/// mu = SHAKE256(tr ‖ 0 ‖ len(ctx) ‖ ctx ‖ M, 64) with tr = SHAKE256(pk, 64) and an empty
/// context (FIPS 204, Algorithm 2 and 7), from the raw public key at the end of the SPKI.
fn mu(public_key_len: usize, spki: &[u8], message: &[u8]) -> [u8; 64] {
    let public = &spki[spki.len() - public_key_len..];
    let mut tr = [0u8; 64];
    let mut hasher = Shake256::default();
    hasher.update(public);
    hasher.finalize_xof().read(&mut tr);
    let mut out = [0u8; 64];
    let mut hasher = Shake256::default();
    hasher.update(&tr);
    hasher.update(&[0, 0]);
    hasher.update(message);
    hasher.finalize_xof().read(&mut out);
    out
}

fn check<P>(spec: KeySpec, public_key_len: usize)
where
    P: MlDsaParams,
    SigningKey<P>: DecodePrivateKey,
    VerifyingKey<P>: DecodePublicKey,
{
    // ML-DSA is not a data key pair spec, so key material comes from generate_material.
    assert!(generate_data_key_pair(spec, &SystemRandom).is_err());
    let material = generate_material(spec, &SystemRandom).unwrap();
    let spki = public_key_spki(spec, &material).unwrap();
    let theirs_signing = SigningKey::<P>::from_pkcs8_der(material.expose()).unwrap();
    let theirs_verifying = VerifyingKey::<P>::from_public_key_der(&spki).unwrap();
    assert_eq!(
        theirs_signing.verifying_key().encode().as_slice(),
        &spki[spki.len() - public_key_len..]
    );

    let message = b"post-quantum, checked twice";
    let decode = |bytes: &[u8]| {
        Signature::<P>::decode(&EncodedSignature::<P>::try_from(bytes).unwrap()).unwrap()
    };

    // Pure ML-DSA made here (aws-lc-rs), verified elsewhere with an empty context.
    let ours = sign(spec, &material, ALGORITHM, MessageType::Raw, message).unwrap();
    assert!(theirs_verifying.verify_with_context(message, &[], &decode(&ours)));

    // Made elsewhere, verified here.
    let theirs: Signature<P> = theirs_signing.sign(message);
    let theirs = theirs.encode();
    assert!(verify(spec, &spki, ALGORITHM, MessageType::Raw, message, theirs.as_slice()).unwrap());
    theirs_verifying.verify(message, &decode(theirs.as_slice())).unwrap();

    // Over an external mu: a pure signature of the message, by either side's verifier.
    let mu = mu(public_key_len, &spki, message);
    let over_mu = sign(spec, &material, ALGORITHM, MessageType::ExternalMu, &mu).unwrap();
    assert!(verify(spec, &spki, ALGORITHM, MessageType::Raw, message, &over_mu).unwrap());
    assert!(theirs_verifying.verify_with_context(message, &[], &decode(&over_mu)));
    assert!(verify(spec, &spki, ALGORITHM, MessageType::ExternalMu, &mu, &ours).unwrap());
    assert!(!verify(spec, &spki, ALGORITHM, MessageType::ExternalMu, &[0; 64], &ours).unwrap());
}

#[test]
fn ml_dsa_44() {
    check::<ml_dsa::MlDsa44>(KeySpec::MlDsa44, 1312);
}

#[test]
fn ml_dsa_65() {
    check::<ml_dsa::MlDsa65>(KeySpec::MlDsa65, 1952);
}

#[test]
fn ml_dsa_87() {
    check::<ml_dsa::MlDsa87>(KeySpec::MlDsa87, 2592);
}
