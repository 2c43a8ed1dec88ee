//! Tells the other windows of a profile which records changed (`BroadcastChannel`), so
//! that they re-read those rows instead of editing or showing stale copies.
//!
//! ```ignore
//! let channel = Channel::open(profile_id, move |ids| refresh(ids))?; // kept while unlocked
//! channel.changed(&[id]);                                            // after a write
//! ```

use uuid::Uuid;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, MessageEvent};

/// One profile's channel; closed when dropped (at lock).
pub struct Channel {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Channel {
    /// Listens for changes other windows make to the profile's records.
    pub fn open(profile: Uuid, on_changed: impl Fn(Vec<Uuid>) + 'static) -> Option<Self> {
        let channel = BroadcastChannel::new(&format!("carnet-{profile}")).ok()?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            let ids: Vec<Uuid> = text
                .split(',')
                .filter_map(|s| Uuid::parse_str(s).ok())
                .collect();
            if !ids.is_empty() {
                on_changed(ids);
            }
        });
        channel.set_onmessage(Some(wasm_bindgen::JsCast::unchecked_ref(
            on_message.as_ref(),
        )));
        Some(Channel {
            channel,
            _on_message: on_message,
        })
    }

    /// Tells the other windows that these records changed (or vanished).
    pub fn changed(&self, ids: &[Uuid]) {
        if ids.is_empty() {
            return;
        }
        let text = ids
            .iter()
            .map(Uuid::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let _ = self.channel.post_message(&JsValue::from_str(&text));
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
