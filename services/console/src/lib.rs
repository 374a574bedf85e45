//! The web console (SPEC §12): static pages embedded in the binary, and a JSON API the pages
//! call, which forwards to the platform's services with the console's own key (never handed
//! to the browser), plus live updates by Server-Sent Events.

pub mod cache_info;
pub mod config;
pub mod live;
pub mod routes;
pub mod startup;
pub mod upstream;
