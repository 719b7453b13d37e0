//! End-to-end tests of the front doors: the router over a real service, driven in-process.

mod audit;
mod aws;
mod grants;
mod harness;
mod sts;
