//! Finding a key that occurs twice in one JSON object. serde_json keeps the last of them, so
//! validating its `Value` while publishing the raw bytes would publish something other than
//! what was validated (a consumer keeping the first would read an unvalidated value).

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::{collections::HashSet, fmt};

/// The JSON pointer of the first key found twice in one object of `raw`, if any. `raw` must
/// already be known to be valid JSON.
pub fn first_duplicate_key(raw: &[u8]) -> Option<String> {
    let mut deserializer = serde_json::Deserializer::from_slice(raw);
    match (Walk {
        path: String::new(),
    })
    .deserialize(&mut deserializer)
    {
        Ok(()) => None,
        Err(error) => error
            .to_string()
            .strip_prefix(MARKER)
            .and_then(|rest| rest.split(" at line ").next())
            .map(str::to_owned),
    }
}

const MARKER: &str = "duplicate key at ";

/// Walks one value at `path` (a JSON pointer), failing at the first duplicate key.
struct Walk {
    path: String,
}

impl<'de> DeserializeSeed<'de> for Walk {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl<'de> Visitor<'de> for Walk {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while seq
            .next_element_seed(Walk {
                path: format!("{}/{index}", self.path),
            })?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = format!("{}/{}", self.path, escape(&key));
            if !seen.insert(key) {
                // Skip nothing more: the first duplicate is enough.
                let _ = map.next_value::<IgnoredAny>();
                return Err(de::Error::custom(format!("{MARKER}{path}")));
            }
            map.next_value_seed(Walk { path })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::first_duplicate_key;

    #[test]
    fn the_first_duplicate_key_is_named_by_its_json_pointer() {
        assert_eq!(
            first_duplicate_key(br#"{"a": 1, "a": 2}"#).as_deref(),
            Some("/a")
        );
        assert_eq!(
            first_duplicate_key(br#"[0, {"x": {"k/~": 1, "k/~": 1}}]"#).as_deref(),
            Some("/1/x/k~1~0")
        );
    }

    #[test]
    fn equal_keys_in_different_objects_and_plain_values_are_fine() {
        for ok in [
            r#"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}"#,
            r#""text""#,
            "123456789012345678901234567890",
            r#"{"a\u0062": 1, "ab2": 2}"#,
        ] {
            assert_eq!(first_duplicate_key(ok.as_bytes()), None, "{ok}");
        }
        // An escaped spelling of the same key is the same key.
        assert_eq!(
            first_duplicate_key(br#"{"ab": 1, "a\u0062": 2}"#).as_deref(),
            Some("/ab")
        );
    }
}
