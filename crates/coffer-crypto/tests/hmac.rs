//! HMAC, checked by RustCrypto's `hmac`.

use coffer_crypto::{
    KeySpec, MacAlgorithm, Secret, SystemRandom, generate_material, mac, verify_mac,
};
use hmac013::{KeyInit, Mac};

fn theirs<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <M as KeyInit>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

#[test]
fn macs_agree_both_ways() {
    let message = b"some important message";
    for spec in [KeySpec::Hmac224, KeySpec::Hmac256, KeySpec::Hmac384, KeySpec::Hmac512] {
        let algorithm = spec.mac_algorithms()[0];
        // Generated keys, and imported ones at both ends of the allowed lengths.
        let lengths = coffer_crypto::imported_material_lengths(spec).unwrap();
        let keys = [
            generate_material(spec, &SystemRandom).unwrap(),
            Secret::new(vec![0x0b; *lengths.start()]),
            Secret::new(vec![0x0c; *lengths.end()]),
        ];
        for key in &keys {
            let expected = match algorithm {
                MacAlgorithm::HmacSha224 => {
                    theirs::<hmac013::Hmac<sha2::Sha224>>(key.expose(), message)
                }
                MacAlgorithm::HmacSha256 => {
                    theirs::<hmac013::Hmac<sha2::Sha256>>(key.expose(), message)
                }
                MacAlgorithm::HmacSha384 => {
                    theirs::<hmac013::Hmac<sha2::Sha384>>(key.expose(), message)
                }
                MacAlgorithm::HmacSha512 => {
                    theirs::<hmac013::Hmac<sha2::Sha512>>(key.expose(), message)
                }
            };
            assert_eq!(mac(spec, key, algorithm, message).unwrap(), expected, "{spec}");
            assert!(verify_mac(spec, key, algorithm, message, &expected).unwrap());
        }
    }
}
