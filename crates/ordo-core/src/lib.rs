//! Ordo's domain: the types every other crate speaks, and the rules that decide
//! who may do what. Nothing here performs I/O or reads the clock by itself; a
//! value of one of these types is valid by construction ("parse, don't validate").
#![forbid(unsafe_code)]

pub mod audit;
pub mod dates;
pub mod device;
pub mod ids;
pub mod meeting;
pub mod password;
pub mod policy;
pub mod quick_add;
pub mod recurrence;
pub mod session;
pub mod staff;
pub mod tenant;
pub mod time;
pub mod user;
pub mod validation;
pub mod words;

pub use validation::Invalid;
