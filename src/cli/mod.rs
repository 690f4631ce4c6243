//! The command line: a thin layer over the library.

pub mod conf;
pub mod fsutil;
pub mod make;
pub mod sat_cmds;
