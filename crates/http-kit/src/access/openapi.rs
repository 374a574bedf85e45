//! The access part of every OpenAPI document: the `bearer` scheme, and for each operation that
//! names a scope (`security(("bearer" = ["orders:write"]))` in its `#[utoipa::path]`) the 401,
//! 403 and 429 answers it can give. [`Common::new`](crate::Common::new) applies it.

use crate::{ErrorBody, ErrorEnvelope};
use utoipa::{
    PartialSchema,
    openapi::{
        Components, Content, Header, ObjectBuilder, OpenApi, PathItem, Ref, ResponseBuilder, Type,
        path::Operation,
        security::{Http, HttpAuthScheme, SecurityScheme},
    },
};

/// The name operations give the scheme in their `security(..)`.
pub const SCHEME: &str = "bearer";

/// `doc` with the bearer scheme declared and the refusals documented on secured operations.
/// A document without any secured operation is returned as it is.
pub fn secured(doc: &OpenApi) -> OpenApi {
    let mut doc = doc.clone();
    let mut any = false;
    for item in doc.paths.paths.values_mut() {
        for operation in operations(item) {
            if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                any = true;
                add_refusals(operation);
            }
        }
    }
    if any {
        let components = doc.components.get_or_insert_with(Components::new);
        components.add_security_scheme(
            SCHEME,
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components
            .schemas
            .entry("ErrorEnvelope".to_owned())
            .or_insert_with(ErrorEnvelope::schema);
        components
            .schemas
            .entry("ErrorBody".to_owned())
            .or_insert_with(ErrorBody::schema);
    }
    doc
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

fn add_refusals(operation: &mut Operation) {
    let text = || Header::new(ObjectBuilder::new().schema_type(Type::String));
    let refusals = [
        (
            "401",
            ResponseBuilder::new()
                .description("No API key, or one that is not configured (`unauthorized`)")
                .header("WWW-Authenticate", text()),
        ),
        (
            "403",
            ResponseBuilder::new()
                .description("The API key lacks the operation's scope (`forbidden`)"),
        ),
        (
            "429",
            ResponseBuilder::new()
                .description("Over the caller's rate limit (`rate_limited`)")
                .header("Retry-After", text()),
        ),
    ];
    for (status, response) in refusals {
        let response = response
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ErrorEnvelope"))),
            )
            .build();
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert(response.into());
    }
}
