//! Bytes that must not leak: key material and decrypted plaintext.
//!
//! A [`Secret`] is wiped when it is dropped, never prints its contents, and is copied only
//! on purpose, through [`Secret::duplicate`]. There is one way to read it,
//! [`Secret::expose`], so every place that touches the bytes is easy to find.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// Secret bytes, zeroized on drop.
///
/// `Debug` prints only the length; there is no `Display` and no `Clone`, so a secret cannot
/// end up in a log line or be copied by accident.
pub struct Secret(Vec<u8>);

impl Drop for Secret {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// Zeroes a buffer's bytes and its spare capacity. Both are wiped as slices: zeroize fills
/// a slice and then keeps the compiler from eliding the fill, whereas its `Vec` impl writes
/// element by element (a 4 KiB plaintext took a thousand byte stores).
fn wipe(bytes: &mut Vec<u8>) {
    bytes.as_mut_slice().zeroize();
    bytes.spare_capacity_mut().zeroize();
}

impl Secret {
    /// Takes ownership of `bytes`; they are wiped when the returned value is dropped.
    ///
    /// The vector is moved, not copied, so no unwiped copy is left behind by this call.
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    /// Wraps a buffer that is already zeroizing, keeping its allocation.
    pub(crate) fn from_zeroizing(mut bytes: Zeroizing<Vec<u8>>) -> Secret {
        Secret(std::mem::take(&mut *bytes))
    }

    /// The secret bytes. Keep the borrow short and do not copy them into unprotected memory.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Mutable access, for filling a freshly allocated secret in place.
    pub(crate) fn expose_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }

    /// The number of secret bytes. The length is not treated as secret.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no secret bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An independent copy, itself zeroized on drop.
    ///
    /// Named rather than `Clone` so that copying a secret is always a visible decision.
    pub fn duplicate(&self) -> Secret {
        Secret::new(self.0.to_vec())
    }

    /// Compares the secret with `other` in time that does not depend on where they differ.
    ///
    /// The lengths are compared first and are not hidden: only the contents are.
    pub fn ct_eq(&self, other: &[u8]) -> bool {
        bool::from(self.expose().ct_eq(other))
    }
}

/// The empty secret, so that request types holding a [`Secret`] can derive `Default`.
impl Default for Secret {
    fn default() -> Secret {
        Secret::new(Vec::new())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret([REDACTED; {} bytes])", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_length_and_no_bytes() {
        let secret = Secret::new(vec![0xAB, 0xCD, 0xEF, 0x42]);
        let shown = format!("{secret:?}");
        assert_eq!(shown, "Secret([REDACTED; 4 bytes])");
        // Neither the decimal nor the hex form of any byte appears.
        for needle in ["171", "205", "239", "66", "ab", "AB", "cd", "ef", "42"] {
            assert!(!shown.contains(needle), "{shown} contains {needle}");
        }
        let pretty = format!("{secret:#?}");
        assert_eq!(pretty, "Secret([REDACTED; 4 bytes])");
    }

    #[test]
    fn the_wipe_zeroes_every_byte() {
        let mut bytes = Vec::with_capacity(4200);
        bytes.extend((0..4096u32).map(|i| (i % 251) as u8 | 1));
        wipe(&mut bytes);
        assert_eq!(bytes.len(), 4096);
        assert!(bytes.iter().all(|b| *b == 0));
    }

    #[test]
    fn accessors() {
        let secret = Secret::new(b"key".to_vec());
        assert_eq!(secret.expose(), b"key");
        assert_eq!(secret.len(), 3);
        assert!(!secret.is_empty());
        assert!(Secret::new(Vec::new()).is_empty());
        assert!(Secret::default().is_empty());
    }

    #[test]
    fn duplicate_is_equal_and_independent() {
        let original = Secret::new(vec![1, 2, 3]);
        let mut copy = original.duplicate();
        assert_eq!(copy.expose(), original.expose());
        copy.expose_mut()[0] = 9;
        assert_eq!(original.expose(), &[1, 2, 3]);
    }

    #[test]
    fn ct_eq_compares_contents_and_length() {
        let secret = Secret::new(vec![1, 2, 3]);
        assert!(secret.ct_eq(&[1, 2, 3]));
        assert!(!secret.ct_eq(&[1, 2, 4]));
        assert!(!secret.ct_eq(&[1, 2]));
        assert!(!secret.ct_eq(&[1, 2, 3, 0]));
        assert!(Secret::new(Vec::new()).ct_eq(&[]));
    }
}
