//! The daemon's configuration: systemd credentials, the layering of defaults, file and
//! environment, and errors that name the key and the fix.

use super::*;

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("timeward-config-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write config");
    p
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn systemd_credentials_fill_the_secrets() {
    let dir = std::env::temp_dir().join(format!("timeward-creds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("feed_token"), "abcdefghijklmnopqrstuvwxyz012345\n").expect("w");
    std::fs::write(
        dir.join("source_url"),
        "https://cal.example/private-x/basic.ics\n",
    )
    .expect("w");
    let p = write("creds.toml", "[source]\nkind = \"ics\"\n");
    let creds = || {
        env(&[(
            "CREDENTIALS_DIRECTORY",
            dir.to_str().expect("utf-8 temp dir"),
        )])
    };
    let c = load(&p, true, creds()).expect("valid");
    assert_eq!(
        c.feed_token.as_deref(),
        Some("abcdefghijklmnopqrstuvwxyz012345")
    );
    assert_eq!(
        c.source,
        Source::Url("https://cal.example/private-x/basic.ics".into())
    );
    // What the config says wins.
    let p = write(
        "creds2.toml",
        "feed_token = \"zzzzzzzzzzzzzzzzzzzzzzzzzz\"\n[source]\nkind = \"ics\"\npath = \"a.ics\"\n",
    );
    let c = load(&p, true, creds()).expect("valid");
    assert_eq!(c.feed_token.as_deref(), Some("zzzzzzzzzzzzzzzzzzzzzzzzzz"));
    assert_eq!(c.source, Source::File("a.ics".into()));
    // A Google service account's key as a credential.
    std::fs::write(dir.join("google_service_account_key"), "{}").expect("w");
    let p = write(
        "creds4.toml",
        "[source]\nkind = \"google\"\nauth = \"service_account\"\n",
    );
    let c = load(&p, true, creds()).expect("valid");
    match c.source {
        Source::Google(g) => assert_eq!(
            g.auth,
            GoogleAuth::ServiceAccount {
                key: dir.join("google_service_account_key"),
                subject: None
            }
        ),
        other => panic!("{other:?}"),
    }
    // Without the credentials, an ics source with neither is still an error.
    let p = write("creds3.toml", "[source]\nkind = \"ics\"\n");
    assert!(load(&p, true, env(&[])).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn defaults_file_and_environment_layer() {
    let p = write(
        "a.toml",
        "listen = \"127.0.0.1:9000\"\n[source]\nkind = \"ics\"\npath = \"cal.ics\"\n",
    );
    let c = load(&p, true, env(&[])).expect("valid");
    assert_eq!(c.listen.port(), 9000);
    assert_eq!(c.poll_interval, Duration::from_secs(60));
    assert_eq!(c.source, Source::File("cal.ics".into()));
    assert_eq!(c.feed_token, None);
    let c = load(
        &p,
        true,
        env(&[
            ("TIMEWARD_LISTEN", "127.0.0.1:0"),
            ("TIMEWARD_POLL_INTERVAL", "5m"),
            ("TIMEWARD_SOURCE__KIND", "demo"),
            ("TIMEWARD_SOURCE__PATH", ""),
            ("OTHER", "x"),
        ]),
    );
    // Both path (from the file) and kind=demo: demo ignores the path.
    let c = c.expect("valid");
    assert_eq!(c.listen.port(), 0);
    assert_eq!(c.poll_interval, Duration::from_secs(300));
    assert_eq!(c.source, Source::Demo);
    assert!(!c.respond, "sending answers is off by default");
    let on = load(&p, true, env(&[("TIMEWARD_ACTIONS__RESPOND", "true")])).expect("valid");
    assert!(on.respond, "[actions] respond from the environment");
    assert_eq!(on.desk_session, Duration::from_secs(12 * 3600));
}

#[test]
fn bad_values_name_the_key_and_the_fix() {
    let cases: &[(&str, &[&str])] = &[
        (
            "listen = \"localhost\"\n",
            &["listen", "not an address", "127.0.0.1:8765"],
        ),
        ("poll_interval = \"soon\"\n", &["poll_interval", "\"1m\""]),
        ("feed_token = \"short\"\n", &["feed_token", "128 bits"]),
        (
            "[source]\nkind = \"icz\"\n",
            &["source.kind", "did you mean \"ics\""],
        ),
        (
            "[source]\nkind = \"ics\"\n",
            &["source", "needs a path or a url"],
        ),
        (
            "[source]\nkind = \"ics\"\nurl = \"ftp://x/secret/basic.ics\"\n",
            &["source.url", "ftp://x/…", "https://"],
        ),
        (
            "pol_interval = \"1m\"\n",
            &["pol_interval", "unknown field"],
        ),
        ("listen = [\n", &["a-bad.toml"]),
    ];
    for (i, (text, needles)) in cases.iter().enumerate() {
        let p = write(
            if i == cases.len() - 1 {
                "a-bad.toml"
            } else {
                "bad.toml"
            },
            text,
        );
        let e = load(&p, true, env(&[])).expect_err(text).to_string();
        for n in *needles {
            assert!(e.contains(n), "{text:?}: {e:?} lacks {n:?}");
        }
        assert!(!e.contains("secret"), "{e}");
    }
    let e = load(Path::new("/nonexistent/timeward.toml"), true, env(&[]))
        .expect_err("missing")
        .to_string();
    assert!(e.contains("does not exist"), "{e}");
}

#[test]
fn urls_are_redacted_to_scheme_and_host() {
    assert_eq!(
        redact_url("https://calendar.google.com/calendar/ical/x%40y/private-abc123/basic.ics"),
        "https://calendar.google.com/…"
    );
    assert_eq!(
        redact_url("http://user:pw@host:8080/a?b"),
        "http://host:8080/…"
    );
}

#[test]
fn the_mail_server_takes_its_password_from_a_file_or_a_credential() {
    let dir = std::env::temp_dir().join(format!("timeward-smtp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("pw"), "s3cret pass\n").expect("w");
    std::fs::write(dir.join("smtp_password"), "from-systemd\n").expect("w");
    let p = write(
        "smtp-file.toml",
        &format!(
            "[actions.smtp]\nserver = \"smtp.example.com\"\nusername = \"sam@acme.example\"\npassword_file = {:?}\n",
            dir.join("pw")
        ),
    );
    let c = load(&p, true, env(&[])).expect("valid");
    let smtp = c.smtp.expect("a mail server");
    assert_eq!(smtp.password.as_deref(), Some("s3cret pass"));
    assert_eq!((smtp.port, smtp.security), (587, Security::StartTls));
    assert!(
        !format!("{smtp:?}").contains("s3cret"),
        "the password stays out of Debug"
    );

    let p = write(
        "smtp-cred.toml",
        "[actions.smtp]\nserver = \"smtp.example.com\"\nsecurity = \"tls\"\nusername = \"sam@acme.example\"\n",
    );
    let creds = env(&[("CREDENTIALS_DIRECTORY", dir.to_str().expect("utf-8"))]);
    let smtp = load(&p, true, creds).expect("valid").smtp.expect("smtp");
    assert_eq!(smtp.password.as_deref(), Some("from-systemd"));
    assert_eq!(smtp.port, 465);

    // A username without any password: said, with the fix.
    let e = load(&p, true, env(&[])).expect_err("no password");
    assert_eq!(e.key, "actions.smtp.password_file");
    assert!(e.fix.contains("smtp_password"), "{e}");

    // The environment sets it as well.
    let p = write("smtp-none.toml", "");
    let c = load(
        &p,
        true,
        env(&[
            ("TIMEWARD_ACTIONS__SMTP__SERVER", "127.0.0.1"),
            ("TIMEWARD_ACTIONS__SMTP__SECURITY", "none"),
        ]),
    )
    .expect("valid");
    let smtp = c.smtp.expect("smtp");
    assert_eq!((smtp.port, smtp.security), (25, Security::None));
}

#[test]
fn an_unprotected_mail_server_is_only_one_on_this_machine() {
    let p = write(
        "smtp-plain.toml",
        "[actions.smtp]\nserver = \"mail.example.com\"\nsecurity = \"none\"\n",
    );
    let e = load(&p, true, env(&[])).expect_err("refused");
    assert_eq!(e.key, "actions.smtp.security");
    assert!(e.fix.contains("starttls"), "{e}");
    let p = write(
        "smtp-typo.toml",
        "[actions.smtp]\nserver = \"mail.example.com\"\nsecurity = \"starttsl\"\n",
    );
    assert_eq!(
        load(&p, true, env(&[])).expect_err("refused").key,
        "actions.smtp.security"
    );
    let p = write(
        "smtp-from.toml",
        "[actions.smtp]\nserver = \"mail.example.com\"\nfrom = \"not an address\"\n",
    );
    assert_eq!(
        load(&p, true, env(&[])).expect_err("refused").key,
        "actions.smtp.from"
    );
}

#[test]
fn busy_calendars_from_the_file_or_one_environment_variable() {
    let p = write(
        "busy.toml",
        "busy_calendars = [\"https://p01-caldav.icloud.com/published/2/SECRET\", \"family.ics\"]\nbusy_max_age = \"6h\"\n",
    );
    let c = load(&p, true, env(&[])).expect("valid");
    assert_eq!(
        c.busy,
        vec![
            BusyCalendar::Url("https://p01-caldav.icloud.com/published/2/SECRET".into()),
            BusyCalendar::File("family.ics".into()),
        ]
    );
    assert_eq!(c.busy_max_age, Duration::from_secs(6 * 3600));
    assert_eq!(c.busy[0].name(), "https://p01-caldav.icloud.com/…");
    let c = load(
        &write("busy-env.toml", ""),
        true,
        env(&[(
            "TIMEWARD_BUSY_CALENDARS",
            "https://cal.example/a.ics  /home/dana/family.ics",
        )]),
    )
    .expect("valid");
    assert_eq!(c.busy.len(), 2);
    assert_eq!(
        c.busy[1],
        BusyCalendar::File("/home/dana/family.ics".into())
    );
    let c = load(
        &write(
            "busy-webcal.toml",
            "busy_calendars = \"webcal://p01-caldav.icloud.com/published/2/X\"\n",
        ),
        true,
        env(&[]),
    )
    .expect("valid");
    assert_eq!(
        c.busy,
        vec![BusyCalendar::Url(
            "https://p01-caldav.icloud.com/published/2/X".into()
        )]
    );
    // google:ID needs the Google source's sign-in.
    let e = load(
        &write(
            "busy-google.toml",
            "busy_calendars = [\"google:family@group.calendar.google.com\"]\n",
        ),
        true,
        env(&[]),
    )
    .expect_err("no Google source");
    assert_eq!(e.key, "busy_calendars");
    assert!(e.fix.contains("secret address"), "{e}");
    let e = load(
        &write("busy-age.toml", "busy_max_age = \"soon\"\n"),
        true,
        env(&[]),
    )
    .expect_err("not a duration");
    assert_eq!(e.key, "busy_max_age");
}

#[test]
fn incremental_is_off_unless_set_in_the_file_or_the_environment() {
    let c = load(&write("inc-default.toml", ""), true, env(&[])).expect("valid");
    assert!(!c.incremental);
    let c = load(
        &write("inc-on.toml", "incremental = true\n"),
        true,
        env(&[]),
    )
    .expect("valid");
    assert!(c.incremental);
    let c = load(
        &write("inc-env.toml", ""),
        true,
        env(&[("TIMEWARD_INCREMENTAL", "true")]),
    )
    .expect("valid");
    assert!(c.incremental);
    let e = load(
        &write("inc-bad.toml", "incremental = \"sometimes\"\n"),
        true,
        env(&[]),
    )
    .expect_err("not a boolean");
    assert!(e.to_string().contains("incremental"), "{e}");
}
