//! Typed decoding of a JSON value that names the field an error is about (`spec.steps[0].goal`).
//!
//! It behaves as serde_json's own deserializer for `&Value` (the same visitor calls, so the same
//! results and messages) and records, when an error surfaces, the path of the innermost value it
//! came from, written as serde_path_to_error writes it (`a.b[0].c`, `.` for the root). It lives
//! here rather than wrapping every visitor (as serde_path_to_error does) because the page's wasm
//! then holds each upstream type's Deserialize code once instead of twice (docs/size.md).

use std::cell::{Cell, RefCell};

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Expected, IntoDeserializer, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use serde_json::{Error, Map, Number, Value};

/// A decoding error and the path of the field it is about (`.` when it is about the whole value).
#[derive(Debug)]
pub struct PathError {
    pub path: String,
    pub error: Error,
}

/// Decodes `value` as a `T`; on error, says where.
pub fn deserialize<'de, T: serde::Deserialize<'de>>(value: &'de Value) -> Result<T, PathError> {
    let track = Track { first_error: Cell::new(None), unknown: None };
    T::deserialize(Tracked { value, at: &At::Root, track: &track })
        .map_err(|error| PathError { path: track.first_error.take().unwrap_or_else(|| ".".into()), error })
}

/// [`deserialize`], and the paths of the fields in `value` that `T` does not have, in the order
/// they appear: what the API server's strict decoding calls `unknown field "spec.x"`. A field
/// whose value is `null` is not counted, nor is anything inside an unknown field.
///
/// A type's `Deserialize` skips a key it does not know by decoding its value as
/// [`serde::de::IgnoredAny`] (k8s-openapi's generated code: `Field::Other => { let _: IgnoredAny =
/// MapAccess::next_value(&mut map)?; }`), which is the one call this deserializer sees for it.
pub fn deserialize_strict<'de, T: serde::Deserialize<'de>>(value: &'de Value) -> Result<(T, Vec<String>), PathError> {
    let track = Track { first_error: Cell::new(None), unknown: Some(RefCell::new(Vec::new())) };
    let typed = T::deserialize(Tracked { value, at: &At::Root, track: &track })
        .map_err(|error| PathError { path: track.first_error.take().unwrap_or_else(|| ".".into()), error })?;
    Ok((typed, track.unknown.map(RefCell::into_inner).unwrap_or_default()))
}

/// Where a value sits: a chain of keys and list indices back to the root, on the stack.
enum At<'a> {
    Root,
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

/// The path of the first (innermost) error, set once as the error travels outwards; and, when
/// decoding strictly, the paths of the fields the type skipped.
struct Track {
    first_error: Cell<Option<String>>,
    unknown: Option<RefCell<Vec<String>>>,
}

impl Track {
    #[inline(never)]
    fn trigger(&self, at: &At<'_>) {
        let seen = self.first_error.take();
        self.first_error.set(Some(seen.unwrap_or_else(|| render(at))));
    }

    #[inline(never)]
    fn skipped(&self, at: &At<'_>, value: &Value) {
        if let Some(unknown) = &self.unknown
            && !value.is_null()
        {
            unknown.borrow_mut().push(render(at));
        }
    }

    fn fail(&self, at: &At<'_>, e: Error) -> Error {
        self.trigger(at);
        e
    }
}

fn render(at: &At<'_>) -> String {
    let mut segments = Vec::new();
    let mut at = at;
    loop {
        match at {
            At::Root => break,
            At::Key(parent, key) => {
                segments.push(Err(*key));
                at = parent;
            }
            At::Index(parent, index) => {
                segments.push(Ok(*index));
                at = parent;
            }
        }
    }
    if segments.is_empty() {
        return ".".into();
    }
    let mut out = String::new();
    let mut separator = "";
    for segment in segments.iter().rev() {
        match segment {
            Ok(index) => out.push_str(&format!("[{index}]")),
            Err(key) => {
                out.push_str(separator);
                out.push_str(key);
            }
        }
        separator = ".";
    }
    out
}

#[cold]
fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

#[cold]
fn invalid_type(value: &Value, expected: &dyn Expected) -> Error {
    de::Error::invalid_type(unexpected(value), expected)
}

fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, Error> {
    match (n.as_u64(), n.as_i64()) {
        (Some(u), _) => visitor.visit_u64(u),
        (None, Some(i)) => visitor.visit_i64(i),
        _ => visitor.visit_f64(n.as_f64().unwrap_or_default()),
    }
}

/// A value and where it sits.
struct Tracked<'a, 'de> {
    value: &'de Value,
    at: &'a At<'a>,
    track: &'a Track,
}

impl<'a, 'de> Tracked<'a, 'de> {
    fn seq<V: Visitor<'de>>(&self, items: &'de [Value], visitor: V) -> Result<V::Value, Error> {
        let mut seq = TrackedSeq { items: items.iter(), index: 0, at: self.at, track: self.track };
        let out = visitor.visit_seq(&mut seq)?;
        if seq.items.len() == 0 {
            Ok(out)
        } else {
            Err(de::Error::invalid_length(items.len(), &"fewer elements in array"))
        }
    }

    fn map<V: Visitor<'de>>(&self, map: &'de Map<String, Value>, visitor: V) -> Result<V::Value, Error> {
        let mut access = TrackedMap { entries: map.iter(), value: None, key: "", at: self.at, track: self.track };
        let out = visitor.visit_map(&mut access)?;
        if access.entries.len() == 0 {
            Ok(out)
        } else {
            Err(de::Error::invalid_length(map.len(), &"fewer elements in map"))
        }
    }

    fn any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => self.seq(items, visitor),
            Value::Object(map) => self.map(map, visitor),
        }
    }

    fn number<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Number(n) => visit_number(n, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::String(s) => visitor.visit_borrowed_str(s),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => self.seq(items, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn seq_only<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Array(items) => self.seq(items, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn enumeration<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (variant, value) = match self.value {
            Value::Object(map) => {
                let mut entries = map.iter();
                match (entries.next(), entries.next()) {
                    (Some((variant, value)), None) => (variant.as_str(), Some(value)),
                    _ => return Err(de::Error::invalid_value(Unexpected::Map, &"map with a single key")),
                }
            }
            Value::String(variant) => (variant.as_str(), None),
            other => return Err(de::Error::invalid_type(unexpected(other), &"string or map")),
        };
        visitor.visit_enum(TrackedEnum { variant, value, at: self.at, track: self.track })
    }
}

/// Every method as serde_json's `&Value` deserializer has it; an error leaving one records the
/// value's path (when no inner value recorded its own first).
macro_rules! tracked {
    ($($method:ident => $how:ident;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                let (at, track) = (self.at, self.track);
                self.$how(visitor).map_err(|e| track.fail(at, e))
            }
        )*
    };
}

impl<'a, 'de> Deserializer<'de> for Tracked<'a, 'de> {
    type Error = Error;

    tracked! {
        deserialize_any => any;
        deserialize_bool => bool;
        deserialize_i8 => number;
        deserialize_i16 => number;
        deserialize_i32 => number;
        deserialize_i64 => number;
        deserialize_i128 => number;
        deserialize_u8 => number;
        deserialize_u16 => number;
        deserialize_u32 => number;
        deserialize_u64 => number;
        deserialize_u128 => number;
        deserialize_f32 => number;
        deserialize_f64 => number;
        deserialize_char => str;
        deserialize_str => str;
        deserialize_string => str;
        deserialize_identifier => str;
        deserialize_bytes => bytes;
        deserialize_byte_buf => bytes;
        deserialize_option => option;
        deserialize_unit => unit;
        deserialize_seq => seq_only;
        deserialize_map => map_only;
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        let (at, track) = (self.at, self.track);
        visitor.visit_newtype_struct(self).map_err(|e| track.fail(at, e))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (at, track) = (self.at, self.track);
        match self.value {
            Value::Array(items) => self.seq(items, visitor),
            Value::Object(map) => self.map(map, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
        .map_err(|e| track.fail(at, e))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (at, track) = (self.at, self.track);
        self.enumeration(visitor).map_err(|e| track.fail(at, e))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let (at, track) = (self.at, self.track);
        track.skipped(at, self.value);
        visitor.visit_unit().map_err(|e| track.fail(at, e))
    }
}

impl<'a, 'de> Tracked<'a, 'de> {
    fn bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Bool(b) => visitor.visit_bool(*b),
            other => Err(invalid_type(other, &visitor)),
        }
    }

    fn option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn map_only<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(map) => self.map(map, visitor),
            other => Err(invalid_type(other, &visitor)),
        }
    }
}

struct TrackedSeq<'a, 'de> {
    items: std::slice::Iter<'de, Value>,
    index: usize,
    at: &'a At<'a>,
    track: &'a Track,
}

impl<'a, 'de> SeqAccess<'de> for TrackedSeq<'a, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let Some(value) = self.items.next() else { return Ok(None) };
        let at = At::Index(self.at, self.index);
        self.index += 1;
        seed.deserialize(Tracked { value, at: &at, track: self.track }).map(Some).map_err(|e| self.track.fail(&at, e))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct TrackedMap<'a, 'de> {
    entries: serde_json::map::Iter<'de>,
    value: Option<&'de Value>,
    key: &'de str,
    at: &'a At<'a>,
    track: &'a Track,
}

impl<'a, 'de> MapAccess<'de> for TrackedMap<'a, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.key = key;
        self.value = Some(value);
        seed.deserialize(Key(key)).map(Some).map_err(|e| self.track.fail(&At::Key(self.at, key), e))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let at = At::Key(self.at, self.key);
        match self.value.take() {
            Some(value) => seed.deserialize(Tracked { value, at: &at, track: self.track }),
            None => Err(de::Error::custom("value is missing")),
        }
        .map_err(|e| self.track.fail(&at, e))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A map key: always a string in JSON.
struct Key<'de>(&'de str);

impl<'de> Deserializer<'de> for Key<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        IntoDeserializer::<Error>::into_deserializer(self.0).deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct TrackedEnum<'a, 'de> {
    variant: &'de str,
    value: Option<&'de Value>,
    at: &'a At<'a>,
    track: &'a Track,
}

impl<'a, 'de> EnumAccess<'de> for TrackedEnum<'a, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let variant = IntoDeserializer::<Error>::into_deserializer(self.variant);
        seed.deserialize(variant).map(|v| (v, self))
    }
}

impl<'a, 'de> VariantAccess<'de> for TrackedEnum<'a, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        let at = At::Key(self.at, self.variant);
        match self.value {
            Some(value) => serde::Deserialize::deserialize(Tracked { value, at: &at, track: self.track }),
            None => Ok(()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        let at = At::Key(self.at, self.variant);
        match self.value {
            Some(value) => seed.deserialize(Tracked { value, at: &at, track: self.track }),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"newtype variant")),
        }
        .map_err(|e| self.track.fail(&at, e))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        let at = At::Key(self.at, self.variant);
        let tracked = Tracked { value: &Value::Null, at: &at, track: self.track };
        match self.value {
            Some(Value::Array(items)) if items.is_empty() => visitor.visit_unit(),
            Some(Value::Array(items)) => tracked.seq(items, visitor),
            Some(other) => Err(de::Error::invalid_type(unexpected(other), &"tuple variant")),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"tuple variant")),
        }
        .map_err(|e| self.track.fail(&at, e))
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        let at = At::Key(self.at, self.variant);
        let tracked = Tracked { value: &Value::Null, at: &at, track: self.track };
        match self.value {
            Some(Value::Object(map)) => tracked.map(map, visitor),
            Some(other) => Err(de::Error::invalid_type(unexpected(other), &"struct variant")),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &"struct variant")),
        }
        .map_err(|e| self.track.fail(&at, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Outer {
        name: String,
        #[serde(default)]
        items: Vec<Inner>,
        #[serde(default)]
        labels: BTreeMap<String, String>,
        #[serde(default)]
        mode: Option<Mode>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        count: i32,
        #[serde(default)]
        tags: Option<Vec<String>>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    enum Mode {
        Fast,
        Slow { by: u32 },
        Named(String),
    }

    /// The path and message serde_path_to_error gave (the behaviour this module keeps).
    fn err(v: Value) -> (String, String) {
        let e = deserialize::<Outer>(&v).unwrap_err();
        (e.path, e.error.to_string())
    }

    #[test]
    fn decodes_what_serde_json_decodes() {
        let v = serde_json::json!({"name": "a", "items": [{"count": -3, "tags": ["x"]}, {"count": 2, "tags": null}],
            "labels": {"k": "v"}, "mode": {"slow": {"by": 4}}});
        let ours: Outer = deserialize(&v).unwrap();
        let theirs: Outer = serde_json::from_value(v).unwrap();
        assert_eq!(ours, theirs);
        for mode in [serde_json::json!("fast"), serde_json::json!({"named": "n"})] {
            let v = serde_json::json!({"name": "a", "mode": mode});
            assert_eq!(deserialize::<Outer>(&v).unwrap(), serde_json::from_value::<Outer>(v).unwrap());
        }
    }

    #[test]
    fn errors_name_the_innermost_field() {
        let unknown = err(serde_json::json!({"name": "a", "items": [{"count": 1}, {"count": 1, "cuont": 2}]}));
        assert_eq!(unknown.0, "items[1].cuont");
        assert!(unknown.1.starts_with("unknown field `cuont`, expected"), "{}", unknown.1);
        assert_eq!(
            err(serde_json::json!({"name": "a", "items": [{"count": 1.5}]})),
            ("items[0].count".into(), "invalid type: floating point `1.5`, expected i32".into())
        );
        assert_eq!(
            err(serde_json::json!({"name": "a", "items": [{"count": 1, "tags": [1]}]})),
            ("items[0].tags[0]".into(), "invalid type: integer `1`, expected a string".into())
        );
        assert_eq!(
            err(serde_json::json!({"name": "a", "labels": {"k": null}})),
            ("labels.k".into(), "invalid type: null, expected a string".into())
        );
        assert_eq!(
            err(serde_json::json!({"name": "a", "items": [{}]})),
            ("items[0]".into(), "missing field `count`".into())
        );
        assert_eq!(err(serde_json::json!({})), (".".into(), "missing field `name`".into()));
        assert_eq!(err(serde_json::json!(3)), (".".into(), "invalid type: integer `3`, expected struct Outer".into()));
        assert_eq!(
            err(serde_json::json!({"name": "a", "mode": {"slow": {"by": -1}}})),
            ("mode.slow.by".into(), "invalid value: integer `-1`, expected u32".into())
        );
        assert_eq!(err(serde_json::json!({"name": "a", "mode": "quick"})).0, "mode");
    }
}
