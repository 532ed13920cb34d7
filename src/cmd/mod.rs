//! One module per command of the `airinv` binary. Each takes plain option
//! values (the binary owns the argument parsing) and returns what it made.
pub mod check;
pub mod compare;
pub mod compile;
pub mod convert;
pub mod explain;
pub mod factors;
pub mod import;
pub mod kca;
pub mod report;
pub mod scenario;
pub mod uncertainty;
