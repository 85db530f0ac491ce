//! The desk's pages, rendered on the server (maud) with their CSS inside the binary: no
//! script is needed, and they read at phone width. They show only what the plan and the
//! store hold, where a private event is already "a private event".

use chrono::{DateTime, FixedOffset};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Deserialize;

use crate::store::actions::{ActionRecord, ActionState};
use crate::store::{HistoryEntry, StoredDecision};

/// The last cycle's plan, as `decisions.json` holds it.
#[derive(Debug, Deserialize)]
pub struct PlanView {
    pub now: DateTime<FixedOffset>,
    pub decisions: Vec<DecisionView>,
    #[serde(default)]
    pub reservations: Vec<ReservationView>,
    #[serde(default)]
    pub unplaced: Vec<UnplacedView>,
}

#[derive(Debug, Deserialize)]
pub struct DecisionView {
    pub id: String,
    pub title: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub organizer: Option<String>,
    pub verdict: String,
    pub delegate_to: Option<String>,
    pub score: i64,
    pub reasons: Vec<ReasonView>,
}

#[derive(Debug, Deserialize)]
pub struct ReasonView {
    pub points: i64,
    pub source: String,
    pub detail: String,
}

#[derive(Debug, Deserialize)]
pub struct ReservationView {
    pub series: String,
    pub with: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
}

#[derive(Debug, Deserialize)]
pub struct UnplacedView {
    pub series: String,
    pub with: String,
    pub period_start: DateTime<FixedOffset>,
    pub reason: String,
}

const CSS: &str = r#"
body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#24324a;color:#fff;padding:.6em 1em;display:flex;flex-wrap:wrap;gap:.4em 1.2em;align-items:center}
header a{color:#fff}header form{margin-left:auto}
main{max-width:60em;margin:0 auto;padding:.5em 1em 3em}
h2{font-size:1.05em;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}
.card{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:.6em .8em;margin:.5em 0}
.verdict{font-weight:600;padding:.05em .45em;border-radius:4px;font-size:.9em}
.accept{background:#dff3e3;color:#17612a}.decline{background:#fbe1e1;color:#8a1c1c}.delegate{background:#fff2cc;color:#6b5200}
.bar{display:flex;height:.5em;margin:.35em 0;border-radius:3px;overflow:hidden;background:#eee}
.plus{background:#3c9a4e}.minus{background:#c94040}
ul.reasons{margin:.2em 0 .2em 1.1em;padding:0}ul.reasons li{margin:.1em 0}
.pts{font-variant-numeric:tabular-nums;display:inline-block;min-width:3.2em}
nav.filter a{margin-right:.8em}.muted{color:#666}
a:focus,button:focus,textarea:focus{outline:3px solid #7aa7ff}
textarea{width:100%;box-sizing:border-box;font:14px/1.4 ui-monospace,monospace}
ol.listing{font:14px/1.4 ui-monospace,monospace;padding-left:3.5em}ol.listing li.err{background:#fbe1e1}
.errmsg{color:#8a1c1c;font-family:system-ui,sans-serif}pre.diff{white-space:pre-wrap}
@media (max-width:40em){body{font-size:15px}header form{margin-left:0}}
"#;

/// A page with the desk's header; `csrf` signs the sign-out form.
pub fn layout(title: &str, csrf: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · timeward" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    strong { "timeward" }
                    a href="/desk" { "Waiting" }
                    a href="/desk/one-on-ones" { "1:1s" }
                    a href="/desk/agenda" { "Agenda" }
                    a href="/desk/rules" { "Rules" }
                    a href="/desk/health" { "Health" }
                    form method="post" action="/desk/logout" {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" { "Sign out" }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

fn verdict_badge(verdict: &str, delegate_to: Option<&str>) -> Markup {
    let class = match verdict {
        "accept" => "verdict accept",
        "decline" => "verdict decline",
        _ => "verdict delegate",
    };
    html! {
        span class=(class) {
            (verdict)
            @if let Some(to) = delegate_to { " → " (to) }
        }
    }
}

/// Pluses and minuses as one bar, each reason's width its share of all points moved.
fn bar(reasons: &[ReasonView]) -> Markup {
    let moved: i64 = reasons
        .iter()
        .filter(|r| r.source != "base")
        .map(|r| r.points.abs())
        .sum();
    html! {
        @if moved > 0 {
            div class="bar" aria-hidden="true" {
                @for r in reasons.iter().filter(|r| r.source != "base" && r.points != 0) {
                    @let width = r.points.abs() * 100 / moved;
                    span class=(if r.points > 0 { "plus" } else { "minus" })
                        style=(format!("width:{width}%")) title=(format!("{:+} {}", r.points, r.source)) {}
                }
            }
        }
    }
}

fn reasons_list(reasons: impl Iterator<Item = (i64, String, String)>) -> Markup {
    html! {
        ul class="reasons" {
            @for (points, source, detail) in reasons {
                li { span class="pts" { (format!("{points:+}")) } strong { (source) } ": " (detail) }
            }
        }
    }
}

fn decision_path(id: &str) -> String {
    format!(
        "/desk/decision/{}",
        percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// Waiting: the pending requests by day, each with its verdict, score and reasons.
pub fn waiting(
    plan: &PlanView,
    filter: Option<&str>,
    answered: &std::collections::HashSet<String>,
) -> Markup {
    let shown: Vec<&DecisionView> = plan
        .decisions
        .iter()
        .filter(|d| filter.is_none_or(|f| d.verdict == f))
        .collect();
    let mut days: Vec<(chrono::NaiveDate, Vec<&DecisionView>)> = Vec::new();
    for d in shown {
        let day = d.start.date_naive();
        match days.last_mut() {
            Some((last, list)) if *last == day => list.push(d),
            _ => days.push((day, vec![d])),
        }
    }
    html! {
        p class="muted" {
            (plan.decisions.len()) " request(s) await an answer, as of "
            (plan.now.format("%a %Y-%m-%d %H:%M"))
        }
        nav class="filter" aria-label="Filter by verdict" {
            a href="/desk" { "all" }
            a href="/desk?verdict=accept" { "accept" }
            a href="/desk?verdict=delegate" { "delegate" }
            a href="/desk?verdict=decline" { "decline" }
        }
        @if days.is_empty() { p { "Nothing waiting." } }
        @for (day, list) in &days {
            h2 { (day.format("%A %Y-%m-%d")) }
            @for d in list {
                article class="card" {
                    div {
                        (verdict_badge(&d.verdict, d.delegate_to.as_deref())) " "
                        (d.start.format("%H:%M")) "–" (d.end.format("%H:%M")) " "
                        a href=(decision_path(&d.id)) { strong { (d.title) } }
                        " " span class="muted" { "score " (d.score) }
                        @if answered.contains(&d.id) { " " strong { "answered from the desk" } }
                    }
                    (bar(&d.reasons))
                    (reasons_list(d.reasons.iter().map(|r| (r.points, r.source.clone(), r.detail.clone()))))
                }
            }
        }
    }
}

/// What the decision page's forms need.
pub struct Forms<'a> {
    pub csrf: &'a str,
    /// The forms' one-time key (a second send of the same form sends nothing).
    pub key: &'a str,
    /// `[actions] respond`.
    pub respond: bool,
    /// Whether "Approve" has something to send (not for "the assistant decides").
    pub approvable: bool,
}

fn answered(actions: &[ActionRecord]) -> bool {
    actions.iter().any(|a| a.state != ActionState::Failed)
}

/// A request that no longer waits: its history and what was sent.
pub fn record(history: &[HistoryEntry], actions: &[ActionRecord]) -> Markup {
    html! {
        p class="muted" { "It was answered, cancelled or is past; this is what is on record." }
        (sent(actions))
        h2 { "History" }
        @for h in history {
            div class="card" {
                (h.at.to_rfc3339()) " " (verdict_badge(h.verdict.as_str(), h.delegate_to.as_deref()))
                " score " (h.score)
            }
        }
    }
}

fn sent(actions: &[ActionRecord]) -> Markup {
    html! {
        h2 { "On record" }
        @if actions.is_empty() { p class="muted" { "Nothing sent from the desk." } }
        @for a in actions {
            div class="card" {
                (a.at.to_rfc3339()) " · " strong { (a.answer.as_str()) }
                @if let Some(to) = &a.delegate_to { " to " (to) }
                " · suggested " (a.suggested) " · " (format!("{:?}", a.state).to_lowercase()) ": " (a.result)
                @if let Some(n) = &a.note { div class="muted" { "Note: " (n) } }
            }
        }
    }
}

/// What was sent from the desk, and the forms to act when nothing was.
pub fn act(d: &StoredDecision, actions: &[ActionRecord], f: &Forms<'_>) -> Markup {
    html! {
        (sent(actions))
        @if !answered(actions) {
            h2 { "Answer" }
            @if !f.respond {
                p class="card" {
                    "Sending is off: the desk shows what would be sent, and sends nothing. To let it "
                    "send the executive's answers, set " code { "[actions] respond = true" }
                    " in the configuration (or " code { "TIMEWARD_ACTIONS__RESPOND=true" } ") and restart timeward."
                }
            }
            @if f.approvable {
                form method="post" action="/desk/act" class="card approve" {
                    input type="hidden" name="csrf" value=(f.csrf);
                    input type="hidden" name="key" value=(f.key);
                    input type="hidden" name="id" value=(d.id);
                    input type="hidden" name="choice" value="approve";
                    div { label { "Note to the organiser (optional)" br; textarea name="note" rows="2" cols="40" {} } }
                    button type="submit" { "Approve: " (d.verdict.as_str()) @if let Some(to) = &d.delegate_to { " → " (to) } }
                }
            }
            form method="post" action="/desk/act" class="card differently" {
                input type="hidden" name="csrf" value=(f.csrf);
                input type="hidden" name="key" value=(f.key);
                input type="hidden" name="id" value=(d.id);
                input type="hidden" name="choice" value="answer";
                label { "Answer differently: "
                    select name="answer" {
                        option value="accepted" { "accept" }
                        option value="tentative" { "tentative" }
                        option value="declined" { "decline" }
                        option value="delegated" { "delegate to…" }
                    }
                }
                " " label { "delegate " input type="email" name="delegate_to" placeholder="name@domain"; }
                div { label { "Note to the organiser" br; textarea name="note" rows="2" cols="40" {} } }
                button type="submit" { "Send this answer" }
            }
        }
    }
}

/// One decision: its reasons and every change of its verdict or score.
pub fn decision(d: &StoredDecision, history: &[HistoryEntry]) -> Markup {
    let reasons = d
        .reasons
        .iter()
        .map(|r| (r.points, r.source.clone(), r.detail.clone()));
    html! {
        p {
            (verdict_badge(d.verdict.as_str(), d.delegate_to.as_deref()))
            " score " (d.score) " · "
            (d.start.to_rfc3339()) " – " (d.end.to_rfc3339())
            @if let Some(o) = &d.organizer { " · organiser " (o) }
        }
        h2 { "Why" }
        (reasons_list(reasons))
        h2 { "History" }
        @for h in history {
            div class="card" {
                (h.at.to_rfc3339()) " " (verdict_badge(h.verdict.as_str(), h.delegate_to.as_deref()))
                " score " (h.score)
                (reasons_list(h.reasons.iter().map(|r| (r.points, r.source.clone(), r.detail.clone()))))
            }
        }
    }
}

/// 1:1s: this horizon's reservations, and the periods without a slot with why.
pub fn one_on_ones(plan: &PlanView) -> Markup {
    html! {
        h2 { "Held" }
        @if plan.reservations.is_empty() { p { "No 1:1 is held." } }
        ul {
            @for r in &plan.reservations {
                li { (r.start.format("%a %Y-%m-%d %H:%M")) "–" (r.end.format("%H:%M")) " " strong { (r.series) } " with " (r.with) }
            }
        }
        h2 { "Without a slot" }
        @if plan.unplaced.is_empty() { p { "Every period has its 1:1." } }
        ul {
            @for u in &plan.unplaced {
                li { strong { (u.series) } " with " (u.with) ", period of " (u.period_start.format("%Y-%m-%d")) ": " (u.reason) }
            }
        }
    }
}

/// Health: the last cycle, the source, the rules (an error with its place and fix).
pub fn health(h: &serde_json::Value) -> Markup {
    let text = |v: &serde_json::Value| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    };
    html! {
        p { "Status: " strong { (text(&h["status"])) } }
        h2 { "Last cycle" }
        p { (text(&h["last_cycle"]["at"])) ", " (text(&h["last_cycle"]["decisions"])) " decision(s)" }
        @if !h["cycle_error"].is_null() { p { "Error: " (text(&h["cycle_error"])) } }
        h2 { "Calendar" }
        p { (text(&h["source"]["name"])) " (" (text(&h["source"]["kind"])) "), read " (text(&h["source"]["last_read"])) }
        @if !h["source"]["error"].is_null() { pre { (text(&h["source"]["error"])) } }
        @if let Some(list) = h["busy"].as_array().filter(|l| !l.is_empty()) {
            h2 { "Busy calendars" }
            ul {
                @for b in list {
                    li {
                        (text(&b["name"])) " (" (text(&b["kind"])) "), " (text(&b["events"])) " busy event(s): "
                        @if b["ok"] == true { "read " (text(&b["last_good_read"])) }
                        @else {
                            strong { "failing" } ": " (text(&b["error"]))
                            @if b["stale"] == true { " — its last good events still count" }
                            @if b["dropped"] == true { " — its events no longer count (failing for longer than busy_max_age)" }
                        }
                    }
                }
            }
        }
        h2 { "Rules" }
        p { (text(&h["rules"]["file"])) }
        @if !h["rules"]["error"].is_null() { pre { (text(&h["rules"]["error"])) } }
        @else { p { "In force, no errors." } }
    }
}
