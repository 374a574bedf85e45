//! Static checks that the deployment files match the code. The library part reads, from a
//! config struct's own `Deserialize` implementation, which environment variables it reads; the
//! tests compare that with `docker-compose.yml`, the Dockerfiles and the port table.

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// The environment variables `T` reads: its serde field names, upper-cased as envy matches them.
///
/// Works for any struct deriving `Deserialize` without `#[serde(flatten)]`.
pub fn variables_of<'de, T: Deserialize<'de>>() -> Vec<String> {
    let mut fields = Vec::new();
    let _ = T::deserialize(FieldCapture(&mut fields));
    fields.iter().map(|field| field.to_uppercase()).collect()
}

/// A deserializer that records the field list serde asks for, then stops.
struct FieldCapture<'a>(&'a mut Vec<&'static str>);

impl<'de> Deserializer<'de> for FieldCapture<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only structs are inspected"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.extend_from_slice(fields);
        Err(de::Error::custom("fields captured"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// The field names in a config's `Debug` text (`Config { http_port: 8777, access:
/// AccessConfig { api_keys: None } }`), nested ones included, upper-cased: the variables of a
/// struct with `#[serde(flatten)]` sections, which [`variables_of`] cannot see (serde reads such
/// a struct as a map). Quoted values are skipped. A nested struct that is not flattened would
/// add names no variable has, so use it where a superset is fine.
pub fn variables_in_debug(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                word.clear();
                while let Some(q) = chars.next() {
                    match q {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            c if c.is_ascii_alphanumeric() || c == '_' => word.push(c),
            ':' if !word.is_empty() && chars.peek() == Some(&' ') => {
                names.push(word.to_uppercase());
                word.clear();
            }
            _ => word.clear(),
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[expect(dead_code, reason = "only its field list is read")]
    struct Sample {
        http_port: u16,
        #[serde(default)]
        amqp_url: String,
    }

    #[test]
    fn debug_text_gives_nested_field_names_and_skips_quoted_values() {
        let text = r#"Config { url: "postgres://h:5432/d", note: "a: b \" c: d", access: AccessConfig { api_keys: None } }"#;
        assert_eq!(
            variables_in_debug(text),
            ["URL", "NOTE", "ACCESS", "API_KEYS"]
        );
    }

    #[test]
    fn the_variables_are_the_upper_cased_field_names() {
        assert_eq!(variables_of::<Sample>(), ["HTTP_PORT", "AMQP_URL"]);
    }
}
