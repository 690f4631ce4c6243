//! The NixOS layer: nixpkgs' kernel configuration (generate-config.pl) and
//! its verdicts on a set of kernel options, reproduced exactly.

pub mod answers;
pub mod generate;
pub mod lint;
pub mod nixfile;
pub mod report;
pub mod rules;
