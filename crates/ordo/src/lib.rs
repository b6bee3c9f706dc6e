//! The `ordo` binary as a library, so that integration tests start the real
//! server in-process (`launch_with_listener`) and run the real commands.
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod server;

pub use server::launch_with_listener;
