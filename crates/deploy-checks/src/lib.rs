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
    fn the_variables_are_the_upper_cased_field_names() {
        assert_eq!(variables_of::<Sample>(), ["HTTP_PORT", "AMQP_URL"]);
    }
}
