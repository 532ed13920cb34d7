//! airinv's integration tests: one binary, one file per command or feature,
//! each test in its own temporary folder (see [`harness`]).

mod harness;

mod check;
mod check_wallonia;
mod compare;
mod compile;
mod compliance;
mod convert;
mod explain;
mod factors;
mod factors_export;
mod fuzz;
mod fuzz_inputs;
mod hardening;
mod import;
mod kazakhstan;
mod kca_wallonia;
mod layers;
mod methods;
mod parsers;
mod ratification;
mod readme;
mod report;
mod scenario;
mod splice;
mod stream;
mod uncertainty;
mod variants;
mod without_factor;
