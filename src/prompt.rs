//! Asking the user: on a terminal through dialoguer, otherwise never (an MFA code excepted,
//! which is read as one line from stdin, as the AWS CLI does).

use std::io;
use std::sync::Arc;

use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, Password};

/// Checks one answer; `Err` is shown and the question asked again.
pub type Check = Box<dyn Fn(&str) -> Result<(), String> + Send>;

/// Something that can ask questions. Only the wiring in `app/` picks the real terminal.
/// Ctrl-C at a question is an `io::ErrorKind::Interrupted` error.
pub trait Prompter: Send + Sync {
    /// Whether there is a person to ask; without one, a missing input is an error.
    fn interactive(&self) -> bool;
    /// A line of text.
    fn text(&self, prompt: &str, check: Check) -> io::Result<String>;
    /// A hidden value, typed twice.
    fn secret(&self, prompt: &str, check: Check) -> io::Result<String>;
    /// Yes or no; anything typed before the question appears is discarded first, so an
    /// Enter pressed early cannot answer it.
    fn confirm(&self, prompt: &str, default: bool) -> io::Result<bool>;
    /// The current code of an MFA device: asked on a terminal, else one line of stdin.
    fn mfa_code(&self, prompt: &str) -> io::Result<String>;
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
        discard_typeahead();
        Confirm::with_theme(&ColorfulTheme::default())
            .with_prompt(prompt)
            .default(default)
            .wait_for_newline(true)
            .interact()
            .map_err(io::Error::from)
    }

    fn mfa_code(&self, prompt: &str) -> io::Result<String> {
        let six_digits = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit());
        if self.interactive {
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
}

/// The terminal's modes when the command started, put back when it ends: the hidden value
/// prompt turns echo off, and Ctrl-C may end the command before the prompt turns it on again
/// (its thread is still blocked reading), which would leave the user's shell not echoing.
pub struct TerminalModes {
    #[cfg(unix)]
    saved: Option<libc::termios>,
}

impl TerminalModes {
    /// Reads stdin's modes, if it is a terminal.
    pub fn save() -> Self {
        #[cfg(unix)]
        {
            // SAFETY: termios is plain data that tcgetattr fills in; it is used only if
            // tcgetattr succeeded, which it does only on a terminal.
            let mut modes: libc::termios = unsafe { std::mem::zeroed() };
            let ok = unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut modes) } == 0;
            Self {
                saved: ok.then_some(modes),
            }
        }
        #[cfg(not(unix))]
        Self {}
    }

    /// Sets the saved modes again (nothing when stdin is not a terminal).
    pub fn restore(&self) {
        #[cfg(unix)]
        if let Some(modes) = &self.saved {
            // SAFETY: the modes were read from this descriptor by tcgetattr.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, modes);
            }
        }
    }
}

/// Drops whatever was typed on the terminal and not yet read.
fn discard_typeahead() {
    #[cfg(unix)]
    // SAFETY: tcflush only reads the descriptor number; on a non-terminal it fails harmlessly.
    unsafe {
        libc::tcflush(libc::STDIN_FILENO, libc::TCIFLUSH);
    }
}

/// What became of a question.
#[derive(Debug)]
pub enum Asked<T> {
    /// The answer.
    Answer(T),
    /// Ctrl-C at the question (a terminal in raw mode reads it as a key); the caller says
    /// what that leaves done.
    Interrupted,
}

/// Runs one question on its own thread so the async side stays free to notice Ctrl-C.
pub async fn ask<T, F>(prompter: &Arc<dyn Prompter>, question: F) -> io::Result<Asked<T>>
where
    T: Send + 'static,
    F: FnOnce(&dyn Prompter) -> io::Result<T> + Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    let p = Arc::clone(prompter);
    std::thread::spawn(move || {
        let _ = tx.send(question(p.as_ref()));
    });
    let answered = rx
        .await
        .map_err(|_| io::Error::other("the prompt thread ended unexpectedly"))?;
    match answered {
        Ok(answer) => Ok(Asked::Answer(answer)),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(Asked::Interrupted),
        Err(e) => Err(e),
    }
}

/// A prompter for in-process tests: answers from a script, in order, and records each
/// question asked.
#[cfg(test)]
pub mod scripted {
    use std::collections::VecDeque;
    use std::io;
    use std::sync::Mutex;

    use super::{Check, Prompter};

    /// One scripted answer.
    #[derive(Debug, Clone)]
    pub enum Answer {
        /// Text for `text`, `secret` or `mfa_code`.
        Text(String),
        /// For `confirm`.
        Yes(bool),
        /// Ctrl-C at this question.
        Interrupt,
    }

    /// Answers in order; a question with no answer left fails the test.
    pub struct Scripted {
        interactive: bool,
        answers: Mutex<VecDeque<Answer>>,
        /// Every prompt asked, in order.
        pub asked: Mutex<Vec<String>>,
    }

    impl Scripted {
        /// A person who will give these answers.
        pub fn person(answers: Vec<Answer>) -> Self {
            Self {
                interactive: true,
                answers: Mutex::new(answers.into()),
                asked: Mutex::new(Vec::new()),
            }
        }

        /// Nobody at a terminal.
        pub fn nobody() -> Self {
            Self {
                interactive: false,
                ..Self::person(Vec::new())
            }
        }

        /// The prompts asked so far.
        pub fn asked(&self) -> Vec<String> {
            self.asked.lock().map(|a| a.clone()).unwrap_or_default()
        }

        fn next(&self, prompt: &str) -> io::Result<Answer> {
            if let Ok(mut asked) = self.asked.lock() {
                asked.push(prompt.to_string());
            }
            let answer = self.answers.lock().ok().and_then(|mut a| a.pop_front());
            match answer {
                Some(Answer::Interrupt) => Err(io::ErrorKind::Interrupted.into()),
                Some(a) => Ok(a),
                None => Err(io::Error::other(format!("unscripted question: {prompt}"))),
            }
        }

        fn text_answer(&self, prompt: &str, check: Option<&Check>) -> io::Result<String> {
            match self.next(prompt)? {
                Answer::Text(t) => match check.map(|c| c(&t)) {
                    Some(Err(why)) => Err(io::Error::other(why)),
                    _ => Ok(t),
                },
                other => Err(io::Error::other(format!(
                    "{prompt}: expected text, got {other:?}"
                ))),
            }
        }
    }

    impl Prompter for Scripted {
        fn interactive(&self) -> bool {
            self.interactive
        }
        fn text(&self, prompt: &str, check: Check) -> io::Result<String> {
            self.text_answer(prompt, Some(&check))
        }
        fn secret(&self, prompt: &str, check: Check) -> io::Result<String> {
            self.text_answer(prompt, Some(&check))
        }
        fn confirm(&self, prompt: &str, _default: bool) -> io::Result<bool> {
            match self.next(prompt)? {
                Answer::Yes(yes) => Ok(yes),
                other => Err(io::Error::other(format!(
                    "{prompt}: expected yes/no, got {other:?}"
                ))),
            }
        }
        fn mfa_code(&self, prompt: &str) -> io::Result<String> {
            self.text_answer(prompt, None)
        }
    }
}
