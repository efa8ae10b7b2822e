//! Component tests in a real headless Chromium (wasm-bindgen-test):
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p clearance-web --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use clearance_core::Problem;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap().dyn_into::<web_sys::HtmlElement>().unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

#[wasm_bindgen_test]
fn problems_list_every_path_and_code() {
    let root = container();
    let problems = vec![
        Problem::new("/users/0/role", clearance_core::Code::UnknownRole, "unknown role `x`"),
        Problem::new("", clearance_core::Code::JsonSyntax, "invalid json"),
    ];
    let _handle =
        leptos::mount::mount_to(root.clone(), move || view! { <clearance_web::components::problems::Problems problems=problems.clone()/> });
    let text = root.inner_text();
    assert!(text.contains("/users/0/role") && text.contains("unknown_role"), "{text}");
    assert_eq!(root.query_selector_all("[data-testid=problem]").unwrap().length(), 2);
}

/// Lets the reactive system run (effects are scheduled, not synchronous).
async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_app_opens_on_the_demo_org_and_switches_language() {
    web_sys::window().unwrap().local_storage().unwrap().unwrap().clear().unwrap();
    let root = container();
    let _handle = leptos::mount::mount_to(root.clone(), clearance_web::App);
    let title = root.query_selector("[data-testid=title]").unwrap().unwrap();
    assert_eq!(title.text_content().unwrap(), "Clearance admin");
    // The pages show once the origin answered that it is no Clearance server (the sandbox).
    for _ in 0..250 {
        if root.query_selector("[data-testid=sandbox-badge]").unwrap().is_some() {
            break;
        }
        tick().await;
    }
    assert!(root.query_selector("[data-testid=sandbox-badge]").unwrap().is_some(), "the sandbox is labelled");
    let options = root.query_selector_all("[data-testid=who-user] option").unwrap().length();
    assert_eq!(options, 15, "14 demo users and the placeholder");
    let switch = root.query_selector("[data-testid=lang-switch]").unwrap().unwrap().dyn_into::<web_sys::HtmlElement>().unwrap();
    switch.click();
    tick().await;
    assert_eq!(title.text_content().unwrap(), "Clearance 管理后台");
}
