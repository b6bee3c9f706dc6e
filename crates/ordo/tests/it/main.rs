//! Integration tests: the real server on 127.0.0.1, a cookie-keeping HTTP
//! client, real SQLite and PostgreSQL, a real SMTP server when the test
//! script provides one. All in one binary to keep link time down.

// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod helpers;

mod access;
mod accessibility;
mod alerts;
mod api;
mod audit;
mod backup;
mod browser;
mod calendar;
mod cli;
mod console;
mod contract;
mod dates;
mod encryption;
mod flows;
mod isolation;
mod layers;
mod live;
mod mail;
mod meetings;
mod metrics;
mod minutes;
mod reminders;
mod search;
mod security;
mod series;
mod support;
mod templates;
