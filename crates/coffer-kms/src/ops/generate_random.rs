//! GenerateRandom: cryptographically secure random bytes; no key involved.

use coffer_crypto::Secret;

use crate::authz::Ask;
use crate::caller::Caller;
use crate::err::KmsError;
use crate::{Kms, ops};

/// GenerateRandom's response.
#[derive(Debug)]
pub struct GenerateRandomResponse {
    /// The random bytes.
    pub plaintext: Secret,
}

impl Kms {
    /// GenerateRandom: `number_of_bytes` 1..=1024, required. Needs kms:GenerateRandom (an
    /// IAM permission, on `*`).
    pub fn generate_random(
        &self,
        caller: &Caller,
        number_of_bytes: Option<i64>,
    ) -> Result<GenerateRandomResponse, KmsError> {
        let Some(n) = number_of_bytes else {
            return Err(KmsError::validation("NumberOfBytes is required."));
        };
        let len = ops::check_number_of_bytes(n)?;
        self.authorize(caller, Ask::on("kms:GenerateRandom", "*"))?;
        Ok(GenerateRandomResponse { plaintext: self.random_secret(len)? })
    }
}
