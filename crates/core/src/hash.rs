//! A fast hash with fixed keys, for maps keyed by the records' own ids and codes.
//!
//! ```
//! use std::collections::HashMap;
//! use carnet_core::hash::Fixed;
//!
//! let mut seen: HashMap<&str, u32, Fixed> = HashMap::default();
//! *seen.entry("sante").or_default() += 1;
//! assert_eq!(seen["sante"], 1);
//! ```
//!
//! The standard map's SipHash was a sixth of a year's report, and a lookup by id per record
//! read from the phone's book. Its random keys defend a server against keys chosen to
//! collide; these keys are person codes (HMACs), random ids and taxonomy codes, and core
//! takes no randomness: a report comes out the same on every run.

use std::hash::{BuildHasherDefault, Hasher};

/// Builds [`Fx`] hashers: `HashMap<K, V, Fixed>`.
pub type Fixed = BuildHasherDefault<Fx>;

/// The multiply-rotate hash of rustc's `FxHasher`, eight bytes at a time.
#[derive(Debug, Default, Clone, Copy)]
pub struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(
                <[u8; 8]>::try_from(word).unwrap_or_default(),
            ));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            self.add(rest.iter().fold(0, |w, &b| w << 8 | u64::from(b)));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn write_isize(&mut self, n: isize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn equal_keys_hash_alike_and_close_keys_apart() {
        let fixed = Fixed::default();
        assert_eq!(fixed.hash_one("sante"), Fixed::default().hash_one("sante"));
        let ids: std::collections::HashSet<u64> = (0u128..1000)
            .map(|n| fixed.hash_one(uuid::Uuid::from_u128(n)))
            .collect();
        assert_eq!(ids.len(), 1000);
        // Lengths not a multiple of eight: the tail counts.
        assert_ne!(fixed.hash_one("abcdefghi"), fixed.hash_one("abcdefghj"));
    }
}
