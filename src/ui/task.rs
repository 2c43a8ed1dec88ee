//! `Task`: what a tap starts (save, delete, unlock, pair, a backup, …), with whether it is
//! running and its last result as signals, for the screens to show.
//!
//! It does what the screens used of Leptos's `Action::new_local`, the same way: the
//! closure runs untracked when dispatched, its future under the owner of the component that
//! made the task (its context, the signals it makes), each result lands in `value` as it
//! comes, and `pending` holds while any dispatch runs. Without what they did not use (an
//! abort handle raced against every future, the input kept as a signal, a version count),
//! each kind of task costs a few hundred bytes of the phone's module instead of ~1.5 kB.
//!
//! ```ignore
//! let save = Task::new(move |draft: &Draft| actions::save(ctx, draft.clone()));
//! save.dispatch(draft);                             // on « Enregistrer »
//! let busy = move || save.pending().get();
//! let problems = move || save.value().get();        // None until the first result
//! ```

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::WeakOwner;

type Start<I, O> = Box<dyn Fn(&I) -> Pin<Box<dyn Future<Output = O>>>>;

/// A task started by taps; `Copy`, like a signal.
pub struct Task<I: 'static, O: Send + Sync + 'static> {
    start: StoredValue<(Start<I, O>, Option<WeakOwner>), LocalStorage>,
    value: RwSignal<Option<O>>,
    running: RwSignal<u32>,
    /// Whether a dispatch runs: made once, so reading it in a view makes nothing.
    pending: Memo<bool>,
}

impl<I: 'static, O: Send + Sync + 'static> Clone for Task<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I: 'static, O: Send + Sync + 'static> Copy for Task<I, O> {}

impl<I: 'static, O: Send + Sync + 'static> Task<I, O> {
    /// A task that runs `start(input)` at each [`Task::dispatch`].
    pub fn new<Fut>(start: impl Fn(&I) -> Fut + 'static) -> Self
    where
        Fut: Future<Output = O> + 'static,
    {
        let start: Start<I, O> = Box::new(move |input| Box::pin(start(input)));
        let owner = Owner::current().map(|o| o.downgrade());
        let running = RwSignal::new(0);
        Task {
            start: StoredValue::new_local((start, owner)),
            value: RwSignal::new(None),
            running,
            pending: pending(running),
        }
    }

    /// Starts the task with `input`; several may run at once.
    pub fn dispatch(&self, input: I) {
        let (value, running) = (self.value, self.running);
        let Some((run, owner)) = self.start.try_with_value(|(start, owner)| {
            let future = untrack(|| start(&input));
            let run: Pin<Box<dyn Future<Output = ()>>> = Box::pin(async move {
                let result = future.await;
                finished(running);
                value.try_set(Some(result));
            });
            (run, owner.clone())
        }) else {
            return;
        };
        start(run, running, owner);
    }

    /// The last result, `None` until the first.
    pub fn value(&self) -> RwSignal<Option<O>> {
        self.value
    }

    /// Whether a dispatch is running.
    pub fn pending(&self) -> Memo<bool> {
        self.pending
    }
}

/// Spawns a dispatch's future, polled under the owner of the component that made the
/// task (or the current one once that is gone), untracked. Not generic: one copy for every
/// kind of task.
fn start(run: Pin<Box<dyn Future<Output = ()>>>, running: RwSignal<u32>, owner: Option<WeakOwner>) {
    running.update(|n| *n += 1);
    let run = match owner.as_ref().and_then(WeakOwner::upgrade) {
        Some(owner) => owner.with(|| ScopedFuture::new_untracked(run)),
        None => ScopedFuture::new_untracked(run),
    };
    leptos::task::spawn_local(run);
}

fn finished(running: RwSignal<u32>) {
    running.try_update(|n| *n = n.saturating_sub(1));
}

fn pending(running: RwSignal<u32>) -> Memo<bool> {
    Memo::new(move |_| running.get() > 0)
}
