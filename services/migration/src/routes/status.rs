//! `GET /status`: per database, the applied versions and whether any are pending.

use crate::runner::{DatabaseStatus, status_all};
use actix_web::{HttpResponse, web};
use http_kit::ApiError;
use serde::Serialize;
use store::Database;

/// The databases and URLs this instance manages.
#[derive(Clone)]
pub struct Targets(pub Vec<(Database, String)>);

/// Body of `GET /status`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatusResponse {
    /// True when every database is reachable and up to date.
    pub up_to_date: bool,
    /// One entry per database.
    pub databases: Vec<DatabaseStatus>,
}

/// Applied and pending migrations of every database.
#[utoipa::path(get, path = "/status", security(("bearer" = [])), responses((status = 200, body = StatusResponse)))]
pub async fn get_status(targets: web::Data<Targets>) -> Result<HttpResponse, ApiError> {
    let targets = targets.0.clone();
    let databases = tokio::task::spawn_blocking(move || status_all(&targets))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let up_to_date = databases.iter().all(|d| d.up_to_date);
    Ok(HttpResponse::Ok().json(StatusResponse {
        up_to_date,
        databases,
    }))
}
