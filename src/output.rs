//! Where things are said: data to stdout, everything else to stderr.

use std::io::{self, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::Report;

/// `1 service`, `0 services`, `2 services`: a count with its noun, for every message that
/// shows one (the nouns said with a count all take an `s`).
pub fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// The command's handles for output. Messages are best-effort; data errors propagate (a
/// closed pipe must stop the command).
pub struct Output {
    data: Box<dyn Write + Send>,
    messages: Box<dyn Write + Send>,
    quiet: bool,
    verbose: bool,
    progress: bool,
    /// Warnings about one project each, held to be said together under it.
    held: Vec<(String, Vec<String>)>,
}

/// How much to say.
#[derive(Debug, Clone, Copy, Default)]
pub struct Verbosity {
    /// `-q`: errors only.
    pub quiet: bool,
    /// `-v`: add a trace of what is done (names and paths, never values).
    pub verbose: bool,
}

impl Output {
    /// Output on the process's stdout and stderr; a spinner only when stderr is a terminal.
    pub fn stdio(verbosity: Verbosity) -> Self {
        use std::io::IsTerminal;
        Self {
            data: Box::new(io::stdout()),
            messages: Box::new(io::stderr()),
            quiet: verbosity.quiet,
            verbose: verbosity.verbose && !verbosity.quiet,
            progress: !verbosity.quiet && io::stderr().is_terminal(),
            held: Vec::new(),
        }
    }

    /// Standard output, for data.
    pub fn data(&mut self) -> &mut dyn Write {
        &mut self.data
    }

    /// A line of information, unless quiet.
    pub fn info(&mut self, msg: &str) {
        if !self.quiet {
            let _ = writeln!(self.messages, "{msg}");
        }
    }

    /// A warning, unless quiet.
    pub fn warn(&mut self, msg: &str) {
        if !self.quiet {
            let _ = writeln!(self.messages, "warning: {msg}");
        }
    }

    /// A warning about `project`, held so that a project's warnings are said together, in
    /// the order the projects were first warned about ([`Output::say_held`], or on drop).
    pub fn warn_about(&mut self, project: &str, msg: &str) {
        match self.held.iter_mut().find(|(p, _)| p == project) {
            Some((_, msgs)) => msgs.push(msg.to_string()),
            None => self.held.push((project.to_string(), vec![msg.to_string()])),
        }
    }

    /// Says the held warnings, grouped by project.
    pub fn say_held(&mut self) {
        for (project, msgs) in std::mem::take(&mut self.held) {
            for msg in msgs {
                self.warn(&format!("{project}: {msg}"));
            }
        }
    }

    /// A failure, with its cause and hint (`error::Report` renders it); shown even when quiet.
    /// Returns its exit code, for the caller to end with.
    pub fn report(&mut self, report: &Report) -> u8 {
        let _ = write!(self.messages, "{report}");
        report.code()
    }

    /// A trace line, with `-v` only.
    pub fn trace(&mut self, msg: &str) {
        if self.verbose {
            let _ = writeln!(self.messages, "trace: {msg}");
        }
    }

    /// A spinner that appears only if the work takes longer than a moment; gone on drop.
    pub fn progress(&self, msg: &str) -> Option<Progress> {
        if !self.progress {
            return None;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        let shown = bar.clone();
        let msg = msg.to_string();
        let task = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            shown.set_draw_target(ProgressDrawTarget::stderr());
            shown.set_style(
                ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            shown.set_message(msg);
            shown.enable_steady_tick(Duration::from_millis(100));
        });
        Some(Progress { bar, task })
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        self.say_held();
    }
}

/// A running spinner; dropping it clears the line.
pub struct Progress {
    bar: ProgressBar,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.task.abort();
        self.bar.finish_and_clear();
    }
}

/// Output captured in memory, for in-process tests.
#[cfg(test)]
pub mod capture {
    use std::io::{self, Write};
    use std::sync::{Arc, Mutex};

    use super::{Output, Verbosity};

    /// What a command wrote to its stdout and stderr.
    #[derive(Clone, Default)]
    pub struct Captured {
        stdout: Buffer,
        stderr: Buffer,
    }

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Buffer {
        fn text(&self) -> String {
            self.0
                .lock()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        }
    }

    impl Captured {
        /// Everything written as data.
        pub fn stdout(&self) -> String {
            self.stdout.text()
        }
        /// Everything written as messages.
        pub fn stderr(&self) -> String {
            self.stderr.text()
        }
    }

    impl Output {
        /// Output into memory (no spinner), and the handle to read it back.
        pub fn capture(verbosity: Verbosity) -> (Output, Captured) {
            let captured = Captured::default();
            let out = Output {
                data: Box::new(captured.stdout.clone()),
                messages: Box::new(captured.stderr.clone()),
                quiet: verbosity.quiet,
                verbose: verbosity.verbose && !verbosity.quiet,
                progress: false,
                held: Vec::new(),
            };
            (out, captured)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_count_takes_its_noun_in_the_singular_only_for_one() {
        assert_eq!(super::count(0, "service"), "0 services");
        assert_eq!(super::count(1, "service"), "1 service");
        assert_eq!(super::count(2, "declared secret"), "2 declared secrets");
    }
}
