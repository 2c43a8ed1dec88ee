//! Enums of unit variants, and the fields of a few large structs ([`read_fields`]), read
//! from their names on the phone (wasm32).
//!
//! serde's derived reader of such an enum (`Reason`, `ErrorCode`, `Theme`, …) takes a
//! variant with or without content (`"sent"` or `{"sent": null}`), about a kilobyte of wasm
//! for each enum. What the phone reads (its own stored values, the server's answers) only
//! ever names them: [`unit_names!`] gives an enum its names once, and on wasm32 a reader
//! of those names alone, in one shared function. Everywhere else (the server, the tests)
//! the derived reader stays, so the server reads its requests exactly as before.
//!
//! ```ignore
//! #[derive(Serialize)]
//! #[cfg_attr(not(target_arch = "wasm32"), derive(Deserialize))]
//! #[serde(rename_all = "snake_case")]
//! pub enum Direction { Sent, Received }
//! unit_names!(Direction { Sent = "sent", Received = "received" });
//! ```

use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, Visitor};

/// Gives an enum of unit variants `NAMES` and `VARIANTS` (each variant and the name serde
/// writes for it, in the same order) and, on wasm32, a `Deserialize` that reads a name with
/// [`read`]. Every variant must be listed: a missing one does not compile.
#[macro_export]
macro_rules! unit_names {
    ($ty:ident { $($variant:ident = $name:literal),+ $(,)? }) => {
        #[allow(dead_code)]
        impl $ty {
            /// The name serde writes for each of [`Self::VARIANTS`].
            pub const NAMES: &'static [&'static str] = &[$($name),+];
            /// Every variant, in the order of [`Self::NAMES`].
            pub const VARIANTS: &'static [$ty] = &[$($ty::$variant),+];
        }

        #[cfg(target_arch = "wasm32")]
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::names::read(d, Self::NAMES, Self::VARIANTS)
            }
        }

        const _: () = {
            #[allow(dead_code)]
            fn every_variant_is_named(v: $ty) {
                match v {
                    $($ty::$variant)|+ => {}
                }
            }
        };
    };
}

/// Reads a variant's name: the variant of `variants` at its place in `names`, or serde's
/// error for an unknown variant (the derived reader's, word for word).
pub fn read<'de, D, T>(d: D, names: &'static [&'static str], variants: &[T]) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Copy,
{
    let at = d.deserialize_str(Name(names))?;
    variants
        .get(at)
        .copied()
        .ok_or_else(|| D::Error::unknown_variant("", names))
}

/// The place of a name among the variants' names.
struct Name(&'static [&'static str]);

impl Visitor<'_> for Name {
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a variant's name")
    }

    fn visit_str<E: Error>(self, name: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|n| *n == name)
            .ok_or_else(|| E::unknown_variant(name, self.0))
    }
}

/// A struct read by hand from a JSON object ([`read_struct`]): its field names, which of
/// them may be left out, a value to start from and one arm per field. One visitor serves
/// every such struct instead of a visitor written for each.
pub trait Fields: Sized {
    /// What serde's derived reader says it expected (`"struct Contact"`), for its errors.
    const EXPECTING: &'static str;
    /// The fields' names, in the order they are declared (at most 64).
    const NAMES: &'static [&'static str];
    /// The fields that may be left out: a bit per place in [`Self::NAMES`].
    const OPTIONAL: u64;
    /// Whether an unknown field is refused (`deny_unknown_fields`) rather than skipped.
    const DENY_UNKNOWN: bool;
    /// A key skipped unread even when unknown fields are refused: the tag of an enum
    /// whose variant was chosen by it before ([`Tagged`]).
    const TAG: Option<&'static str> = None;

    /// The value the fields are read into: each left-out field's default.
    fn empty() -> Self;

    /// Reads the value of the field at `at` in [`Self::NAMES`] into `self`.
    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error>;
}

/// Reads a [`Fields`] struct as serde's derived reader does from a JSON object (the same
/// values accepted, the same words for a refused one: [`read_fields`]). The struct as a
/// JSON array, which no one writes, is refused.
pub fn read_struct<'de, T: Fields, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(Struct(std::marker::PhantomData))
}

/// The visitor of every [`Fields`] struct.
struct Struct<T>(std::marker::PhantomData<T>);

impl<'de, T: Fields> Visitor<'de> for Struct<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut value = T::empty();
        read_fields(
            &mut map,
            T::NAMES,
            T::OPTIONAL,
            T::DENY_UNKNOWN,
            T::TAG,
            &mut |at, map| value.read_field(at, map),
        )?;
        Ok(value)
    }
}

/// A [`Fields`] struct read from an object that also holds its enum's tag, `"type"`,
/// which is skipped: `Record::from_value` reads the tag first and leaves it in the object,
/// where taking it out brought the B-tree's removal code for JSON objects into the phone's
/// module (3.3 kB raw) for that one key. Every other key is read as by `T`'s reader.
pub struct Tagged<T>(pub T);

impl<T: Fields> Fields for Tagged<T> {
    const EXPECTING: &'static str = T::EXPECTING;
    const NAMES: &'static [&'static str] = T::NAMES;
    const OPTIONAL: u64 = T::OPTIONAL;
    const DENY_UNKNOWN: bool = T::DENY_UNKNOWN;
    const TAG: Option<&'static str> = Some("type");

    fn empty() -> Self {
        Tagged(T::empty())
    }

    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        at: usize,
        map: &mut A,
    ) -> Result<(), A::Error> {
        self.0.read_field(at, map)
    }
}

/// Reads the value of the field at a place in the names into what is being read: one
/// closure type for [`read_fields`] whatever the struct, so that its loop is compiled once
/// per kind of map rather than once per struct and map (−0.7 kB brotli of the app's module).
pub type ReadField<'de, 'a, A> =
    dyn FnMut(usize, &mut A) -> Result<(), <A as MapAccess<'de>>::Error> + 'a;

/// Reads a struct's fields from a map as serde's derived reader does — each known field
/// once (a second time is serde's `duplicate field` error), the fields outside `optional`
/// (a bit per place in `names`) required (serde's `missing field`, the first one in
/// `names`' order), a name not in `names` skipped, or refused with serde's `unknown field`
/// when `deny_unknown` unless it is the `tag` — and leaves reading each field's value to
/// `field`, given its place in `names` (at most 64). A hand-written reader over it has one
/// arm per field where a derived reader has per-field code twice over (an object's and an
/// array's).
pub fn read_fields<'de, A: MapAccess<'de>>(
    map: &mut A,
    names: &'static [&'static str],
    optional: u64,
    deny_unknown: bool,
    tag: Option<&'static str>,
    field: &mut ReadField<'de, '_, A>,
) -> Result<(), A::Error> {
    let mut seen = 0u64;
    while let Some(at) = map.next_key_seed(Field {
        names,
        deny_unknown,
        tag,
    })? {
        let Some(at) = at else {
            map.next_value::<IgnoredAny>()?;
            continue;
        };
        if seen & 1 << at != 0 {
            return Err(A::Error::duplicate_field(names[at]));
        }
        seen |= 1 << at;
        field(at, map)?;
    }
    let missing = !seen & !optional;
    match (0..names.len()).find(|at| missing & 1 << at != 0) {
        Some(at) => Err(A::Error::missing_field(names[at])),
        None => Ok(()),
    }
}

/// A field's place among `names`, by its name: `None` for another name, or serde's
/// `unknown field` error when `deny_unknown` (but `None` for the `tag`).
struct Field {
    names: &'static [&'static str],
    deny_unknown: bool,
    tag: Option<&'static str>,
}

impl<'de> DeserializeSeed<'de> for Field {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Field {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: Error>(self, name: &str) -> Result<Option<usize>, E> {
        match self.names.iter().position(|n| *n == name) {
            None if self.deny_unknown && self.tag != Some(name) => {
                Err(E::unknown_field(name, self.names))
            }
            at => Ok(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Direction, Reason};
    use crate::report::Attribute;
    use crate::sync::StateName;
    use crate::wire::{ErrorCode, RecordStatus};
    use serde::de::DeserializeOwned;
    use std::fmt::Debug;

    /// Each name is read as its variant by [`read`] and by serde's derived reader (so it
    /// is the name serde writes, both derives sharing the enum's `rename_all`), and an
    /// unknown name gets the derived reader's error word for word. What is not a string is
    /// refused too, in other words than the derived reader's.
    fn check<T: DeserializeOwned + Copy + PartialEq + Debug>(
        names: &'static [&'static str],
        variants: &[T],
    ) {
        assert_eq!(names.len(), variants.len());
        let by_read = |json: &str| {
            read(
                &mut serde_json::Deserializer::from_str(json),
                names,
                variants,
            )
        };
        for (name, variant) in names.iter().zip(variants) {
            let json = format!("\"{name}\"");
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), *variant);
            assert_eq!(by_read(&json).unwrap(), *variant);
            let value = serde_json::Value::String((*name).to_owned());
            assert_eq!(read(value, names, variants).unwrap(), *variant);
        }
        let derived = serde_json::from_str::<T>("\"nope\"")
            .unwrap_err()
            .to_string();
        assert_eq!(by_read("\"nope\"").unwrap_err().to_string(), derived);
        for bad in ["1", "null", "[]", "{\"x\": null}"] {
            assert!(by_read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_enum_reads_the_names_it_writes() {
        check(Reason::NAMES, Reason::VARIANTS);
        check(Direction::NAMES, Direction::VARIANTS);
        check(Attribute::NAMES, Attribute::VARIANTS);
        check(ErrorCode::NAMES, ErrorCode::VARIANTS);
        check(RecordStatus::NAMES, RecordStatus::VARIANTS);
        check(StateName::NAMES, StateName::VARIANTS);
        assert_eq!(ErrorCode::VARIANTS, ErrorCode::ALL);
    }
}
