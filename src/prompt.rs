//! Asking the user: on a terminal through dialoguer, otherwise never.

use std::io;
use std::sync::Arc;

use anyhow::{Context, Result};
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, Password};

/// Checks one answer; `Err` is shown and the question asked again.
pub type Check = Box<dyn Fn(&str) -> Result<(), String> + Send>;

/// Something that can ask questions. Only `main`'s wiring picks the real terminal.
pub trait Prompter: Send + Sync {
    /// Whether there is a person to ask; without one, a missing input is an error.
    fn interactive(&self) -> bool;
    /// A line of text.
    fn text(&self, prompt: &str, check: Check) -> io::Result<String>;
    /// A hidden value, typed twice.
    fn secret(&self, prompt: &str, check: Check) -> io::Result<String>;
    /// Yes or no.
    fn confirm(&self, prompt: &str, default: bool) -> io::Result<bool>;
}

/// dialoguer on stderr; interactive only when stdin and stderr are terminals.
pub struct Terminal {
    interactive: bool,
}

impl Terminal {
    /// Detects whether a person is there.
    pub fn detect() -> Self {
        use std::io::IsTerminal;
        Self {
            interactive: io::stdin().is_terminal() && io::stderr().is_terminal(),
        }
    }
}

impl Prompter for Terminal {
    fn interactive(&self) -> bool {
        self.interactive
    }

    fn text(&self, prompt: &str, check: Check) -> io::Result<String> {
        Input::<String>::with_theme(&ColorfulTheme::default())
            .with_prompt(prompt)
            .validate_with(|s: &String| check(s))
            .interact_text()
            .map_err(io::Error::from)
    }

    fn secret(&self, prompt: &str, check: Check) -> io::Result<String> {
        Password::with_theme(&ColorfulTheme::default())
            .with_prompt(prompt)
            .with_confirmation("Repeat the value", "the two values differ; try again")
            .validate_with(|s: &String| check(s))
            .interact()
            .map_err(io::Error::from)
    }

    fn confirm(&self, prompt: &str, default: bool) -> io::Result<bool> {
        Confirm::with_theme(&ColorfulTheme::default())
            .with_prompt(prompt)
            .default(default)
            .wait_for_newline(true)
            .interact()
            .map_err(io::Error::from)
    }
}

/// Runs one question on its own thread so the async side stays free to notice Ctrl-C.
pub async fn ask<T, F>(prompter: &Arc<dyn Prompter>, question: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&dyn Prompter) -> io::Result<T> + Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    let p = Arc::clone(prompter);
    std::thread::spawn(move || {
        let _ = tx.send(question(p.as_ref()));
    });
    rx.await
        .context("the prompt thread ended unexpectedly")?
        .context("cannot read the answer")
}

/// Asks for an MFA code on the terminal, or reads one line from stdin without one.
pub fn mfa_code(prompt: &str) -> io::Result<String> {
    use std::io::IsTerminal;
    let six_digits = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit());
    if io::stdin().is_terminal() && io::stderr().is_terminal() {
        return Input::<String>::with_theme(&ColorfulTheme::default())
            .with_prompt(prompt.trim_end().trim_end_matches(':'))
            .validate_with(|s: &String| {
                if six_digits(s.trim()) {
                    Ok(())
                } else {
                    Err("an MFA code is 6 digits")
                }
            })
            .interact_text()
            .map_err(io::Error::from);
    }
    let mut line = String::new();
    io::stdin().read_line(&mut line)?;
    let code = line.trim().to_string();
    if six_digits(&code) {
        Ok(code)
    } else {
        Err(io::Error::other(
            "no 6-digit code on stdin; pass --mfa-token CODE or run on a terminal",
        ))
    }
}
