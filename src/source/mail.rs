//! Answers to invitations read from an .ics file or URL: the iTIP messages (written by the
//! pure core from the calendar's bytes) mailed as iMIP (RFC 6047) through the mail server
//! of `[actions.smtp]` — the REPLY to the organiser, and for a delegation the REQUEST to
//! the delegate. Without a mail server, the same messages are offered to the assistant
//! as downloads with a `mailto:` link, and nothing is sent.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use super::Respond;
use crate::calendar::ics::itip::{self, Answer, Answering, ItipError, Messages};
use crate::config::{Security, Smtp};
use crate::store::actions::Answer as Chosen;

/// Why an answer could not be mailed. Says nothing of the event's text.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(transparent)]
    Itip(#[from] ItipError),
    #[error("the mail server {server} did not take the answer: {message}")]
    Smtp { server: String, message: String },
    #[error("{0:?} is not a mail address")]
    Address(String),
    #[error("the mail could not be written: {0}")]
    Message(String),
}

/// The mail server, ready to send.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    server: String,
    from: Option<String>,
}

impl Mailer {
    pub fn new(smtp: &Smtp) -> Result<Mailer, MailError> {
        let fail = |e: lettre::transport::smtp::Error| MailError::Smtp {
            server: smtp.server.clone(),
            message: e.to_string(),
        };
        let builder = match smtp.security {
            Security::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.server).map_err(fail)?
            }
            Security::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.server).map_err(fail)?
            }
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.server),
        };
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(Duration::from_secs(30)));
        if let (Some(u), Some(p)) = (&smtp.username, &smtp.password) {
            builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            server: format!("{}:{}", smtp.server, smtp.port),
            from: smtp.from.clone(),
        })
    }

    /// Mails the answer; says what was sent.
    pub async fn send(&self, bytes: &[u8], r: &Respond<'_>) -> Result<String, MailError> {
        let (answer, m) = messages(bytes, r)?;
        let from = self.from.as_deref().unwrap_or(r.executive);
        let reply = mail(
            from,
            &m.organizer,
            &subject(&answer, &m),
            &body(r, &answer),
            "REPLY",
            &m.reply,
        )?;
        let mut said = format!("{} mailed to the organiser {}", verb(&answer), m.organizer);
        let request = match (&answer, &m.request) {
            (Answer::DelegatedTo(to), Some(text)) => Some((
                to.clone(),
                mail(
                    from,
                    to,
                    &format!("Invitation (delegated): {}", title(&m)),
                    &format!(
                        "{} delegates this invitation to you; the invitation is attached.",
                        r.executive
                    ),
                    "REQUEST",
                    text,
                )?,
            )),
            _ => None,
        };
        self.deliver(reply).await?;
        if let Some((to, message)) = request {
            // The organiser already has the answer: a failure here is said, not undone.
            match self.deliver(message).await {
                Ok(()) => said.push_str(&format!("; the invitation forwarded to {to}")),
                Err(e) => said.push_str(&format!(
                    "; the invitation could NOT be forwarded to {to} ({e}): forward it by hand"
                )),
            }
        }
        Ok(said)
    }

    async fn deliver(&self, message: Message) -> Result<(), MailError> {
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Smtp {
                server: self.server.clone(),
                message: e.to_string(),
            })
    }
}

/// One message for the assistant to send by hand: a download and a `mailto:` link.
#[derive(Debug, Clone)]
pub struct Handout {
    /// Whom it is for ("the organiser", "the delegate").
    pub label: String,
    pub to: String,
    pub filename: String,
    /// `text/calendar; method=…`.
    pub content_type: String,
    pub ics: String,
    pub mailto: String,
}

/// The messages of an answer, for the assistant to send by hand.
pub fn handouts(bytes: &[u8], r: &Respond<'_>) -> Result<Vec<Handout>, MailError> {
    let (answer, m) = messages(bytes, r)?;
    let link = |to: &str, subject: &str, body: &str| {
        format!(
            "mailto:{}?subject={}&body={}",
            utf8_percent_encode(to, NON_ALPHANUMERIC),
            utf8_percent_encode(subject, NON_ALPHANUMERIC),
            utf8_percent_encode(body, NON_ALPHANUMERIC)
        )
    };
    let mut out = vec![Handout {
        label: "the organiser".into(),
        to: m.organizer.clone(),
        filename: "reply.ics".into(),
        content_type: "text/calendar; method=REPLY; charset=UTF-8".into(),
        mailto: link(
            &m.organizer,
            &subject(&answer, &m),
            &format!(
                "{}\n\n(Attach reply.ics: it updates the invitation in your calendar.)",
                body(r, &answer)
            ),
        ),
        ics: m.reply.clone(),
    }];
    if let (Answer::DelegatedTo(to), Some(text)) = (&answer, &m.request) {
        out.push(Handout {
            label: "the delegate".into(),
            to: to.clone(),
            filename: "invitation.ics".into(),
            content_type: "text/calendar; method=REQUEST; charset=UTF-8".into(),
            mailto: link(
                to,
                &format!("Invitation (delegated): {}", title(&m)),
                &format!(
                    "{} delegates this invitation to you. (Attach invitation.ics.)",
                    r.executive
                ),
            ),
            ics: text.clone(),
        });
    }
    Ok(out)
}

fn messages(bytes: &[u8], r: &Respond<'_>) -> Result<(Answer, Messages), MailError> {
    let answer = match (r.answer, r.delegate_to) {
        (Chosen::Accepted, _) => Answer::Accepted,
        (Chosen::Tentative, _) => Answer::Tentative,
        (Chosen::Declined, _) => Answer::Declined,
        (Chosen::Delegated, Some(to)) if to.parse::<Mailbox>().is_ok() => {
            Answer::DelegatedTo(to.to_string())
        }
        (Chosen::Delegated, to) => return Err(MailError::Address(to.unwrap_or("").into())),
    };
    let m = itip::answer(
        bytes,
        &Answering {
            uid: r.event_id,
            executive: r.executive,
            answer: &answer,
            note: r.note,
            now: r.now,
        },
    )?;
    Ok((answer, m))
}

fn verb(a: &Answer) -> &'static str {
    match a {
        Answer::Accepted => "accepted",
        Answer::Tentative => "tentatively accepted",
        Answer::Declined => "declined",
        Answer::DelegatedTo(_) => "delegated",
    }
}

fn title(m: &Messages) -> &str {
    m.summary.as_deref().unwrap_or("your invitation")
}

fn subject(a: &Answer, m: &Messages) -> String {
    let word = match a {
        Answer::Accepted => "Accepted",
        Answer::Tentative => "Tentative",
        Answer::Declined => "Declined",
        Answer::DelegatedTo(_) => "Delegated",
    };
    format!("{word}: {}", title(m))
}

fn body(r: &Respond<'_>, a: &Answer) -> String {
    let mut s = match a {
        Answer::DelegatedTo(to) => {
            format!("{} has delegated this invitation to {to}.", r.executive)
        }
        _ => format!("{} has {} this invitation.", r.executive, verb(a)),
    };
    if let Some(n) = r.note {
        s.push_str("\n\n");
        s.push_str(n);
    }
    s
}

fn mail(
    from: &str,
    to: &str,
    subject: &str,
    text: &str,
    method: &str,
    ics: &str,
) -> Result<Message, MailError> {
    let from: Mailbox = from.parse().map_err(|_| MailError::Address(from.into()))?;
    let to: Mailbox = to.parse().map_err(|_| MailError::Address(to.into()))?;
    let calendar = ContentType::parse(&format!("text/calendar; method={method}; charset=UTF-8"))
        .map_err(|e| MailError::Message(e.to_string()))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(text.to_string()))
                .singlepart(SinglePart::builder().header(calendar).body(ics.to_string())),
        )
        .map_err(|e| MailError::Message(e.to_string()))
}
