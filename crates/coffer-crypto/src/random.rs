//! Randomness, injected.
//!
//! Nothing in this crate reaches for a global random source: every function that needs
//! fresh bytes (new key material, nonces, the root key) takes a [`SecureRandom`]. The service
//! passes [`SystemRandom`]; tests pass a deterministic source so outputs are reproducible.

use crate::error::CryptoError;
use crate::secret::Secret;

/// A source of cryptographically secure random bytes.
pub trait SecureRandom: Send + Sync {
    /// Fills `dest` entirely with random bytes, or fails with [`CryptoError::Random`].
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError>;
}

/// The operating system's random source, through aws-lc-rs.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRandom;

impl SecureRandom for SystemRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        aws_lc_rs::rand::fill(dest).map_err(|_| CryptoError::Random)
    }
}

/// A random (version 4) UUID, for request and event ids, from aws-lc-rs's generator.
///
/// Two are made for every request, and each draw from the generator mixes in fresh
/// hardware randomness, which costs more than the id is worth: ids are public and need
/// only be unpredictable and unique, so they are cut from a per-thread buffer of the
/// generator's output, refilled every 256 ids. Falls back to the operating system's
/// source if the generator fails. Never use this for anything secret.
pub fn random_uuid() -> uuid::Uuid {
    const IDS: usize = 256;
    thread_local! {
        static POOL: std::cell::RefCell<([u8; 16 * IDS], usize)> =
            const { std::cell::RefCell::new(([0; 16 * IDS], 16 * IDS)) };
    }
    let drawn = POOL.try_with(|pool| {
        let (buf, used) = &mut *pool.try_borrow_mut().ok()?;
        if *used == buf.len() {
            aws_lc_rs::rand::fill(buf).ok()?;
            *used = 0;
        }
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&buf[*used..*used + 16]);
        // Each id leaves the pool as it is handed out.
        buf[*used..*used + 16].fill(0);
        *used += 16;
        Some(bytes)
    });
    match drawn {
        Ok(Some(bytes)) => uuid::Builder::from_random_bytes(bytes).into_uuid(),
        _ => uuid::Uuid::new_v4(),
    }
}

/// `len` fresh random bytes as a [`Secret`].
///
/// The buffer is a secret from the moment it is allocated, so it is wiped even if the
/// random source fails half way.
pub fn random_secret(rng: &dyn SecureRandom, len: usize) -> Result<Secret, CryptoError> {
    let mut secret = Secret::new(vec![0; len]);
    rng.fill(secret.expose_mut())?;
    Ok(secret)
}

/// A [`SecureRandom`] seen through the `rand_core` traits, for the RustCrypto implementations
/// (SM2, ML-DSA) that draw their randomness that way. Failures surface as
/// [`CryptoError::Random`].
pub(crate) struct RandCore<'a>(pub(crate) &'a dyn SecureRandom);

impl rand_core::TryRng for RandCore<'_> {
    type Error = CryptoError;

    fn try_next_u32(&mut self) -> Result<u32, CryptoError> {
        let mut bytes = [0; 4];
        self.0.fill(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, CryptoError> {
        let mut bytes = [0; 8];
        self.0.fill(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), CryptoError> {
        self.0.fill(dst)
    }
}

/// Every [`SecureRandom`] is a cryptographic generator by contract.
impl rand_core::TryCryptoRng for RandCore<'_> {}

#[cfg(test)]
pub(crate) mod testing {
    //! Deterministic random sources for tests.

    use std::sync::atomic::{AtomicU64, Ordering};

    use super::SecureRandom;
    use crate::error::CryptoError;

    /// Emits a byte counter: 0, 1, 2, ... (wrapping), continuing across calls. Outputs built
    /// from it are reproducible, and two draws never repeat within 256 bytes.
    pub(crate) struct CounterRandom(AtomicU64);

    impl CounterRandom {
        pub(crate) fn new(start: u64) -> CounterRandom {
            CounterRandom(AtomicU64::new(start))
        }
    }

    impl SecureRandom for CounterRandom {
        fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
            let start = self.0.fetch_add(dest.len() as u64, Ordering::Relaxed);
            for (offset, byte) in dest.iter_mut().enumerate() {
                *byte = start.wrapping_add(offset as u64) as u8;
            }
            Ok(())
        }
    }

    /// Always fails, to check that a broken random source is reported, not ignored.
    pub(crate) struct FailingRandom;

    impl SecureRandom for FailingRandom {
        fn fill(&self, _dest: &mut [u8]) -> Result<(), CryptoError> {
            Err(CryptoError::Random)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{CounterRandom, FailingRandom};
    use super::*;

    #[test]
    fn random_uuids_stay_unique_across_pool_refills() {
        // Several refills of the per-thread pool, on two threads.
        let ids: Vec<uuid::Uuid> = std::thread::scope(|s| {
            let a = s.spawn(|| (0..1000).map(|_| random_uuid()).collect::<Vec<_>>());
            let b = s.spawn(|| (0..1000).map(|_| random_uuid()).collect::<Vec<_>>());
            let mut all = a.join().unwrap();
            all.extend(b.join().unwrap());
            all
        });
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
        assert!(ids.iter().all(|id| id.get_version_num() == 4));
    }

    #[test]
    fn random_uuids_are_version_4_and_differ() {
        let (a, b) = (random_uuid(), random_uuid());
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        assert_ne!(a, b);
    }

    #[test]
    fn system_random_fills_and_differs() {
        let a = random_secret(&SystemRandom, 32).unwrap();
        let b = random_secret(&SystemRandom, 32).unwrap();
        assert_eq!(a.len(), 32);
        assert!(!a.ct_eq(b.expose()), "two 32-byte draws collided");
    }

    #[test]
    fn counter_random_is_reproducible() {
        let rng = CounterRandom::new(0);
        assert_eq!(random_secret(&rng, 4).unwrap().expose(), &[0, 1, 2, 3]);
        assert_eq!(random_secret(&rng, 2).unwrap().expose(), &[4, 5]);
        let again = CounterRandom::new(0);
        assert_eq!(random_secret(&again, 6).unwrap().expose(), &[0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn failure_is_reported() {
        assert_eq!(random_secret(&FailingRandom, 8).unwrap_err(), CryptoError::Random);
    }

    #[test]
    fn the_rand_core_view_draws_from_the_source() {
        use rand_core::TryRng;
        let rng = CounterRandom::new(0);
        let mut view = RandCore(&rng);
        assert_eq!(view.try_next_u32().unwrap(), u32::from_le_bytes([0, 1, 2, 3]));
        assert_eq!(view.try_next_u64().unwrap(), u64::from_le_bytes([4, 5, 6, 7, 8, 9, 10, 11]));
        let mut bytes = [0; 2];
        view.try_fill_bytes(&mut bytes).unwrap();
        assert_eq!(bytes, [12, 13]);
        assert_eq!(RandCore(&FailingRandom).try_next_u32().unwrap_err(), CryptoError::Random);
    }

    #[test]
    fn empty_request_is_fine() {
        assert!(random_secret(&SystemRandom, 0).unwrap().is_empty());
    }
}
