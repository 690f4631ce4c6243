//! The command line: a thin layer over the library.

/// Writes to standard output. A reader that went away (`| head`) ends the
/// process quietly, with the status a SIGPIPE gives in a shell, instead of a
/// panic.
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
    }
}

/// `println!` through [`write_stdout`].
#[macro_export]
macro_rules! outln {
    () => { $crate::cli::write_stdout("\n") };
    ($($arg:tt)*) => { $crate::cli::write_stdout(&format!("{}\n", format!($($arg)*))) };
}

/// `print!` through [`write_stdout`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_stdout(&format!($($arg)*)) };
}

pub mod args;
pub mod conf;
pub mod explain;
pub mod fsutil;
pub mod heap;
pub mod make;
pub mod nixos;
pub mod sat_cmds;
