//! The store's integration tests, one binary: the conformance suite against SQLite on a
//! file and in memory, durability across reopening and a killed writer, and the tag
//! operations against a map model.

mod durability;
mod sqlite_conformance;
mod tags_model;
