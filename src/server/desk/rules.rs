//! The desk's Rules page: the rules file in an editor; "Preview" shows what the edit would
//! change (the same difference as `timeward simulate`, on the calendar the daemon holds);
//! "Save" checks it, keeps the file as it was beside it (`FILE.previous`) and writes the
//! edit atomically, for the daemon's hot reload to take up. Errors are shown at their
//! lines and change nothing.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;

use super::{csrf_ok, page, pages, refused, Signed};
use crate::rules::{RuleError, Rules};
use crate::server::{not_found_response, Shared};

#[derive(Deserialize)]
pub(super) struct RulesForm {
    csrf: Option<String>,
    text: Option<String>,
    action: Option<String>,
}

/// The file as sent, each error under its line.
fn listing(text: &str, errors: &[RuleError]) -> Markup {
    html! {
        h2 { (errors.len()) " error(s): nothing was saved" }
        ol class="listing" {
            @for (i, line) in text.lines().enumerate() {
                @let here: Vec<&RuleError> = errors.iter().filter(|e| e.line == i + 1).collect();
                li class=(if here.is_empty() { "" } else { "err" }) {
                    code { (line) }
                    @for e in &here {
                        div class="errmsg" {
                            (format!("{}:{}: ", e.line, e.col))
                            @if !e.key.is_empty() { (e.key) ": " }
                            (e.message)
                            @if let Some(h) = &e.hint { br; "fix: " (h) }
                        }
                    }
                }
            }
        }
        @for e in errors.iter().filter(|e| e.line == 0 || e.line > text.lines().count()) {
            p class="errmsg" { (e.key) ": " (e.message) @if let Some(h) = &e.hint { " — fix: " (h) } }
        }
    }
}

fn editor(csrf: &str, file: &str, text: &str, below: Markup) -> Markup {
    html! {
        p class="muted" {
            "The rules file " code { (file) } ". " strong { "Preview" } " shows which suggestions would change; "
            strong { "Save" } " checks the file, keeps the current one as " code { (file) ".previous" }
            " and writes it: timeward takes it up right away (Health says so)."
        }
        form method="post" action="/desk/rules" {
            input type="hidden" name="csrf" value=(csrf);
            textarea name="text" rows="28" cols="90" spellcheck="false" aria-label="The rules file" { (text) }
            div {
                button type="submit" name="action" value="preview" { "Preview" } " "
                button type="submit" name="action" value="save" { "Save" }
            }
        }
        (below)
    }
}

/// What the edit would change, on the calendar and plan the daemon holds.
fn preview(shared: &Shared, new: &Rules) -> Markup {
    match crate::server::simulate::difference(shared, new) {
        None => html! { p { "No cycle has finished yet: nothing to compare with." } },
        Some(diff) => html! {
            h2 { "Preview: what this edit would change" }
            pre class="card diff" { (diff.text()) }
        },
    }
}

pub(super) async fn rules(
    method: Method,
    signed: Signed,
    State(shared): State<Shared>,
    form: Result<Form<RulesForm>, FormRejection>,
) -> Response {
    let Some(path) = shared.rules_file.clone() else {
        return not_found_response();
    };
    let file = path.display().to_string();
    let csrf = signed.session.csrf.clone();
    if method == Method::GET || method == Method::HEAD {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        return page(pages::layout(
            "Rules",
            &csrf,
            editor(&csrf, &file, &text, html! {}),
        ));
    }
    if method != Method::POST {
        return not_found_response();
    }
    let Ok(Form(f)) = form else {
        return refused();
    };
    if !csrf_ok(&signed, f.csrf.as_deref()) {
        return refused();
    }
    // Browsers send a textarea's lines with CRLF.
    let text = f.text.unwrap_or_default().replace("\r\n", "\n");
    let parsed = Rules::parse(&text, &file);
    let below = match (parsed, f.action.as_deref()) {
        (Err(e), _) => listing(&text, &e.errors),
        (Ok(new), Some("preview")) => {
            let shared = shared.clone();
            tokio::task::spawn_blocking(move || preview(&shared, &new))
                .await
                .unwrap_or_else(|_| html! { p { "The preview failed inside timeward (a bug)." } })
        }
        (Ok(_), Some("save")) => match save(&path, &text) {
            Ok(()) => {
                tracing::info!(rules = %file, "rules saved from the desk");
                html! { p class="card saved" { "Saved. timeward takes the new rules up right away; the previous file is "
                    code { (file) ".previous" } "." } }
            }
            Err(e) => {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    page(pages::layout(
                        "Rules",
                        &csrf,
                        editor(&csrf, &file, &text, html! {
                            p class="errmsg" { (file) ": cannot be written (" (e.to_string()) "): nothing was saved. "
                                "The daemon needs write access to the rules file's folder (systemd: ReadWritePaths=)." }
                        }),
                    )),
                )
                    .into_response()
            }
        },
        (Ok(_), _) => return refused(),
    };
    page(pages::layout(
        "Rules",
        &csrf,
        editor(&csrf, &file, &text, below),
    ))
}

/// Keeps the file as it was beside it, then writes the edit atomically (same mode).
fn save(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o777);
    if path.is_file() {
        let mut previous = path.as_os_str().to_owned();
        previous.push(".previous");
        std::fs::copy(path, previous)?;
    }
    crate::state_dir::write_atomically(path, text.as_bytes(), mode)
}
