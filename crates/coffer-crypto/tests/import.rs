//! Importing key material wrapped elsewhere: RSA-OAEP and RSAES-PKCS1-v1_5 by RustCrypto's
//! `rsa` (encryption only), AES key wrap with padding by `aes-kw`, SM2PKE by `libsm`, each
//! with the wrapping public key this crate hands out.

use aes_kw::KwpAes256;
use aes_kw::cipher::KeyInit;
use coffer_crypto::{
    CryptoError, KeySpec, Secret, SystemRandom, WrappingAlgorithm, check_imported_material,
    generate_material, random_secret, unwrap_key_material, wrapping_key_pair,
};
use getrandom::SysRng;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Oaep, Pkcs1v15Encrypt, PublicKey as RsaPublicKey};

use crate::sm2::{libsm_encrypt_der, libsm_public_key};

/// `material` wrapped for `algorithm` under the RSA wrapping public key `spki`, the way the
/// AWS documentation's OpenSSL recipes do it.
fn wrap_with_rsa(algorithm: WrappingAlgorithm, spki: &[u8], material: &[u8]) -> Vec<u8> {
    let public = RsaPublicKey::from_public_key_der(spki).unwrap();
    match algorithm {
        WrappingAlgorithm::RsaesPkcs1V15 => {
            public.encrypt(&mut SysRng, Pkcs1v15Encrypt, material).unwrap()
        }
        WrappingAlgorithm::RsaesOaepSha1 => {
            public.encrypt(&mut SysRng, Oaep::<sha1::Sha1>::new(), material).unwrap()
        }
        WrappingAlgorithm::RsaesOaepSha256 => {
            public.encrypt(&mut SysRng, Oaep::<sha2::Sha256>::new(), material).unwrap()
        }
        WrappingAlgorithm::RsaAesKeyWrapSha1 | WrappingAlgorithm::RsaAesKeyWrapSha256 => {
            let aes_key = random_secret(&SystemRandom, 32).unwrap();
            let mut wrapped = if algorithm == WrappingAlgorithm::RsaAesKeyWrapSha1 {
                public.encrypt(&mut SysRng, Oaep::<sha1::Sha1>::new(), aes_key.expose()).unwrap()
            } else {
                public.encrypt(&mut SysRng, Oaep::<sha2::Sha256>::new(), aes_key.expose()).unwrap()
            };
            let kek = KwpAes256::new_from_slice(aes_key.expose()).unwrap();
            let mut buffer = vec![0; material.len() + 16];
            let len = kek.wrap_key(material, &mut buffer).unwrap().len();
            wrapped.extend_from_slice(&buffer[..len]);
            wrapped
        }
        WrappingAlgorithm::Sm2Pke => unreachable!("not an RSA algorithm"),
    }
}

#[test]
fn symmetric_material_wrapped_elsewhere_imports_with_every_rsa_algorithm() {
    let material = Secret::new((0u8..32).collect());
    for spec in [KeySpec::Rsa2048, KeySpec::Rsa3072, KeySpec::Rsa4096] {
        let (private, public) = wrapping_key_pair(spec, &SystemRandom).unwrap();
        for &algorithm in WrappingAlgorithm::ALL.iter().filter(|a| !a.uses_sm2()) {
            let wrapped = wrap_with_rsa(algorithm, &public, material.expose());
            let unwrapped = unwrap_key_material(algorithm, &private, &wrapped).unwrap();
            assert_eq!(unwrapped.expose(), material.expose(), "{spec} {algorithm}");
            check_imported_material(KeySpec::SymmetricDefault, &unwrapped).unwrap();
        }
    }
}

#[test]
fn asymmetric_material_wrapped_elsewhere_imports_with_aes_key_wrap() {
    // PKCS#8 private keys are longer than RSA-OAEP can carry: RSA_AES_KEY_WRAP is the way.
    let (private, public) = wrapping_key_pair(KeySpec::Rsa4096, &SystemRandom).unwrap();
    for spec in [KeySpec::Rsa2048, KeySpec::EccNistP521, KeySpec::EccSecgP256k1, KeySpec::MlDsa87] {
        let key = generate_material(spec, &SystemRandom).unwrap();
        for algorithm in
            [WrappingAlgorithm::RsaAesKeyWrapSha1, WrappingAlgorithm::RsaAesKeyWrapSha256]
        {
            let wrapped = wrap_with_rsa(algorithm, &public, key.expose());
            let unwrapped = unwrap_key_material(algorithm, &private, &wrapped).unwrap();
            assert_eq!(unwrapped.expose(), key.expose(), "{spec} {algorithm}");
            check_imported_material(spec, &unwrapped).unwrap();
        }
    }
}

#[test]
fn a_wrong_wrapping_is_opaque() {
    let (private, public) = wrapping_key_pair(KeySpec::Rsa2048, &SystemRandom).unwrap();
    let wrapped = wrap_with_rsa(WrappingAlgorithm::RsaesOaepSha1, &public, &[7; 32]);
    for algorithm in [
        WrappingAlgorithm::RsaesOaepSha256,
        WrappingAlgorithm::RsaesPkcs1V15,
        WrappingAlgorithm::RsaAesKeyWrapSha1,
    ] {
        assert_eq!(
            unwrap_key_material(algorithm, &private, &wrapped).unwrap_err(),
            CryptoError::Decrypt,
            "{algorithm}"
        );
    }
    let mut tampered = wrap_with_rsa(WrappingAlgorithm::RsaAesKeyWrapSha256, &public, &[7; 40]);
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_eq!(
        unwrap_key_material(WrappingAlgorithm::RsaAesKeyWrapSha256, &private, &tampered)
            .unwrap_err(),
        CryptoError::Decrypt
    );
}

#[test]
fn material_wrapped_with_sm2_elsewhere_imports() {
    let (private, public) = wrapping_key_pair(KeySpec::Sm2, &SystemRandom).unwrap();
    let material = Secret::new(vec![0x5C; 48]);
    let wrapped = libsm_encrypt_der(&libsm_public_key(&public), material.expose());
    let unwrapped = unwrap_key_material(WrappingAlgorithm::Sm2Pke, &private, &wrapped).unwrap();
    assert_eq!(unwrapped.expose(), material.expose());
    check_imported_material(KeySpec::Hmac384, &unwrapped).unwrap();
}
