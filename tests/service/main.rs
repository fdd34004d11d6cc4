//! Black-box tests of the whole service over HTTP, driven in process.
//!
//! Each test gets its own database cloned from a migrated template (see
//! `abroad_storage::test_db`), so tests run in parallel without sharing state.

mod scheme;
mod support;

mod activities;
mod applications;
mod audit;
mod auth;
mod calls;
mod catalogue_memory;
mod countries;
mod demo_data;
mod destinations;
mod document;
mod errors;
mod faculty_scope;
mod http;
mod institutions;
mod matrix;
mod matrix_world;
mod no_server_error;
mod offers;
mod operations;
mod programmes;
mod reports;
mod rules;
mod search;
mod students;
