//! The desk: the same app on a computer's screen, from 960 px wide. The navigation moves
//! into the header, and the record form stands beside the day's records (shortcuts, tally,
//! sync and its status), so a saved record shows in the list at once and the next form is
//! ready. Its stylesheet (`style/desk.css`) is the app's module's own: the start-up page,
//! whose CSS every phone waits for, carries none of it.

use leptos::prelude::*;

use crate::local_store;
use crate::state::{Ctx, Screen, wide};
use crate::ui::today::Today;

/// The narrowest window that gets the desk (CSS pixels; `style/desk.css` says the same).
pub const DESK_MIN_WIDTH: f64 = 960.0;

/// Follows the window's width. A window that becomes wide on « Aujourd'hui » shows the
/// desk's form; one that becomes narrow keeps the form it shows (never a form lost).
pub fn follow_width(ctx: Ctx) {
    let update = move || {
        let width = window().inner_width().ok().and_then(|w| w.as_f64());
        let now = width.is_some_and(|w| w >= DESK_MIN_WIDTH);
        let signal = wide();
        if signal.get_untracked() != now {
            signal.set(now);
            if now && ctx.screen.get_untracked() == Screen::Today {
                ctx.go(Screen::Today);
            }
        }
    };
    update();
    let _ = window_event_listener(leptos::ev::resize, move |_| update());
}

/// An installed window (Chrome, Edge) first opens at a size the browser picks, often a
/// phone's column on a wide screen. The first time it opens on a screen that holds the
/// desk, it is sized for it (1280×900), once: whatever size the worker gives it afterwards
/// is the browser's to remember. A tab is never resized (browsers refuse it anyway).
pub fn fit_installed_window() {
    const FITTED: &str = "carnet.window_fitted";
    const SIZE: (i32, i32) = (1280, 900);
    let window = window();
    let installed = window
        .match_media("(display-mode: standalone)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches());
    if !installed || local_store::holds(FITTED) {
        return;
    }
    let room = window
        .screen()
        .ok()
        .and_then(|s| Some((s.avail_width().ok()?, s.avail_height().ok()?)));
    let narrow = window
        .inner_width()
        .ok()
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w < DESK_MIN_WIDTH);
    if narrow && room.is_some_and(|(w, h)| w >= SIZE.0 && h >= SIZE.1) {
        let _ = window.resize_to(SIZE.0, SIZE.1);
    }
    local_store::set(FITTED, &true);
}

/// Links the desk's stylesheet, which the build names in the start-up page
/// (`<meta name="carnet-app" data-css>`, `scripts/link_app.py`).
pub fn link_stylesheet() {
    let document = document();
    let href = document
        .query_selector("meta[name=carnet-app]")
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("data-css"));
    let (Some(href), Ok(link), Some(head)) =
        (href, document.create_element("link"), document.head())
    else {
        return;
    };
    let _ = link.set_attribute("rel", "stylesheet");
    let _ = link.set_attribute("href", &href);
    let _ = head.append_child(&link);
}

/// A record form, with the day's records beside it on the desk.
pub fn beside_today(form: AnyView) -> AnyView {
    let wide = RwSignal::from(wide());
    view! {
        <div class="desk">
            {form}
            {move || wide.get().then(|| view! { <aside class="desk-side"><Today /></aside> })}
        </div>
    }
    .into_any()
}
