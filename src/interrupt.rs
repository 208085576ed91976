//! Ctrl-C, told truthfully. Normally an interrupt ends the command at once (main stops
//! whatever it awaits; nothing has been written, since every write is atomic or not yet
//! started). A command that must report what it did, such as `create` while its writes are in
//! flight, holds a `Shield`: interrupts then go to it, and it decides.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::watch;

/// Interrupts seen so far, and who handles them.
#[derive(Clone)]
pub struct Interrupts {
    count: watch::Receiver<u64>,
    shields: Arc<AtomicUsize>,
}

/// Sends interrupts by hand (tests; the signal task in `from_ctrl_c`).
pub struct Trigger(watch::Sender<u64>);

impl Trigger {
    /// One interrupt, as if Ctrl-C was pressed.
    pub fn fire(&self) {
        self.0.send_modify(|n| *n += 1);
    }
}

/// While alive, interrupts are the shield holder's to handle.
pub struct Shield(Arc<AtomicUsize>);

impl Drop for Shield {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Interrupts {
    /// Interrupts fired through the returned trigger only.
    pub fn manual() -> (Trigger, Interrupts) {
        let (tx, rx) = watch::channel(0);
        let me = Interrupts {
            count: rx,
            shields: Arc::new(AtomicUsize::new(0)),
        };
        (Trigger(tx), me)
    }

    /// Interrupts from Ctrl-C (SIGINT). The handler is installed before this returns, so
    /// an early Ctrl-C cannot kill the process the default way.
    pub fn from_ctrl_c() -> std::io::Result<Interrupts> {
        let (trigger, me) = Self::manual();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut sigint = signal(SignalKind::interrupt())?;
            tokio::spawn(async move {
                while sigint.recv().await.is_some() {
                    trigger.fire();
                }
            });
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                trigger.fire();
            }
        });
        Ok(me)
    }

    /// Routes interrupts to the caller until the shield is dropped.
    pub fn shield(&self) -> Shield {
        self.shields.fetch_add(1, Ordering::SeqCst);
        Shield(Arc::clone(&self.shields))
    }

    /// Waits for the next interrupt.
    pub async fn next(&mut self) {
        if self.count.changed().await.is_err() {
            // No sender left: no interrupt can come.
            std::future::pending::<()>().await;
        }
    }

    /// Whether an interrupt arrived that `next` has not returned for; marks it seen.
    pub fn take(&mut self) -> bool {
        let fired = self.count.has_changed().unwrap_or(false);
        if fired {
            self.count.borrow_and_update();
        }
        fired
    }

    /// Waits for an interrupt that arrives while nobody holds a shield.
    pub async fn unshielded(mut self) {
        loop {
            self.next().await;
            if self.shields.load(Ordering::SeqCst) == 0 {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_shield_takes_interrupts_away_from_the_default_handler() {
        let (trigger, interrupts) = Interrupts::manual();
        let shield = interrupts.shield();
        let mut mine = interrupts.clone();
        let default = tokio::spawn(interrupts.clone().unshielded());
        trigger.fire();
        tokio::time::timeout(Duration::from_secs(1), mine.next())
            .await
            .expect("the shield holder sees it");
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!default.is_finished(), "the default handler must not act");
        drop(shield);
        trigger.fire();
        tokio::time::timeout(Duration::from_secs(1), default)
            .await
            .expect("unshielded interrupts end the command")
            .unwrap();
    }
}
