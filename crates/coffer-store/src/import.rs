//! Importing key material: the parameters a key hands out for an import, and what the
//! service keeps about each material imported into a key.

/// Parameters for importing key material into a key: a wrapping key pair, named by the
/// token id its import token carries, valid until `valid_to`.
///
/// `sealed_wrapping_key` is opaque: the service seals the private half of the wrapping key
/// before it arrives here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportParametersRecord {
    /// The account of the key.
    pub account: String,
    /// The region of the key.
    pub region: String,
    /// The key the material is for.
    pub key_id: String,
    /// The id the import token carries, unique per key.
    pub token_id: String,
    /// How the material is to be wrapped (`RSAES_OAEP_SHA_256`, ...).
    pub wrapping_algorithm: String,
    /// The wrapping key's spec (`RSA_2048`, ...).
    pub wrapping_key_spec: String,
    /// The private half of the wrapping key, sealed by the service.
    pub sealed_wrapping_key: Vec<u8>,
    /// When the parameters were made, epoch milliseconds.
    pub created: i64,
    /// When the token and the wrapping key stop being accepted, epoch milliseconds.
    pub valid_to: i64,
}

/// What the service keeps about one imported material of a key: one key version, whose
/// sealed bytes live with the version.
///
/// `expiration_model` is `None` while the material is absent (it expired or was deleted):
/// the row stays so that the same material, recognised by its `fingerprint`, can be
/// imported again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedMaterialRecord {
    /// The account of the key.
    pub account: String,
    /// The region of the key.
    pub region: String,
    /// The key.
    pub key_id: String,
    /// The key version the material is.
    pub version: u32,
    /// Recognises the material when it is imported again (never the material itself).
    pub fingerprint: Vec<u8>,
    /// A description given at import, if any.
    pub description: Option<String>,
    /// `KEY_MATERIAL_EXPIRES` or `KEY_MATERIAL_DOES_NOT_EXPIRE`; `None` while absent.
    pub expiration_model: Option<String>,
    /// When the material expires, epoch milliseconds.
    pub valid_to: Option<i64>,
    /// When it was last imported, epoch milliseconds.
    pub imported: i64,
}
