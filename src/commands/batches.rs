//! Work done batch after batch, stoppable between batches: Ctrl-C while a batch is in flight
//! lets it finish, so its outcome is known, and nothing after it starts; a second Ctrl-C
//! stops waiting for it.

use std::future::Future;

use crate::interrupt::Interrupts;
use crate::output::Output;

/// How a run of batches ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum End {
    /// Every batch ran.
    #[default]
    Complete,
    /// Ctrl-C: the batches before `next` ran, none from `next` on started.
    Interrupted {
        /// Index of the first batch not started.
        next: usize,
    },
    /// A second Ctrl-C: batch `pending` was sent and its outcome is unknown; none after it
    /// started.
    Abandoned {
        /// Index of the batch whose answer was not awaited.
        pending: usize,
    },
}

/// Calls `call` on each `size`-item batch of `items` in order, one at a time, holding the
/// interrupts for the whole run. Returns each finished batch's result and how it ended.
pub async fn in_batches<'i, T, R, F, Fut>(
    items: &'i [T],
    size: usize,
    interrupts: &Interrupts,
    out: &mut Output,
    mut call: F,
) -> (Vec<R>, End)
where
    F: FnMut(&'i [T]) -> Fut,
    Fut: Future<Output = R>,
{
    let _shield = interrupts.shield();
    let mut signals = interrupts.clone();
    let mut done = Vec::new();
    for (i, batch) in items.chunks(size.max(1)).enumerate() {
        if signals.take() {
            return (done, End::Interrupted { next: i });
        }
        let work = call(batch);
        tokio::pin!(work);
        let mut seen = 0;
        let result = loop {
            tokio::select! {
                biased;
                result = &mut work => break Some(result),
                () = signals.next() => {
                    seen += 1;
                    if seen > 1 {
                        break None;
                    }
                    out.info("interrupted: finishing the request already sent, then stopping \
                              (Ctrl-C again to stop waiting)");
                }
            }
        };
        match result {
            Some(result) => done.push(result),
            None => return (done, End::Abandoned { pending: i }),
        }
        if seen > 0 {
            return (done, End::Interrupted { next: i + 1 });
        }
    }
    (done, End::Complete)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::output::{Verbosity, capture::Captured};

    #[tokio::test]
    async fn ctrl_c_during_a_batch_lets_it_finish_and_starts_no_other() {
        let (trigger, interrupts) = Interrupts::manual();
        let (mut out, _seen): (Output, Captured) = Output::capture(Verbosity::default());
        let items: Vec<u32> = (0..25).collect();
        let mut started = Vec::new();
        let (done, end) = in_batches(&items, 10, &interrupts, &mut out, |batch| {
            started.push(batch[0]);
            if batch[0] == 10 {
                trigger.fire();
            }
            let n = batch.len();
            async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                n
            }
        })
        .await;
        assert_eq!(done, vec![10, 10]);
        assert_eq!(end, End::Interrupted { next: 2 });
        assert_eq!(started, vec![0, 10]);
    }

    #[tokio::test]
    async fn a_second_ctrl_c_abandons_the_batch_in_flight() {
        let (trigger, interrupts) = Interrupts::manual();
        let (mut out, seen) = Output::capture(Verbosity::default());
        let items: Vec<u32> = (0..25).collect();
        let presses = tokio::spawn(async move {
            for _ in 0..2 {
                tokio::time::sleep(Duration::from_millis(30)).await;
                trigger.fire();
            }
        });
        let (done, end) = in_batches(&items, 10, &interrupts, &mut out, |batch| async move {
            if batch[0] == 10 {
                std::future::pending::<()>().await;
            }
            batch.len()
        })
        .await;
        presses.await.unwrap();
        assert_eq!(done, vec![10]);
        assert_eq!(end, End::Abandoned { pending: 1 });
        assert!(seen.stderr().contains("Ctrl-C again to stop waiting"));
    }

    #[tokio::test]
    async fn without_interrupts_every_batch_runs_in_order() {
        let (_trigger, interrupts) = Interrupts::manual();
        let (mut out, _seen) = Output::capture(Verbosity::default());
        let items: Vec<u32> = (0..25).collect();
        let (done, end) = in_batches(&items, 10, &interrupts, &mut out, |batch| async move {
            batch.to_vec()
        })
        .await;
        assert_eq!(done.concat(), items);
        assert_eq!(end, End::Complete);
    }
}
