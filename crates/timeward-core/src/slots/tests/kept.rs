//! DST, unplaced periods, order, and reservations kept or moved from one run to the next.

use super::*;

#[test]
fn wall_clock_holds_across_dst_as_utc_shifts() {
    let (got, _) = run(&setup(SAM_WEEKLY), vec![], &[], ny(2027, 3, 1, 8, 0));
    let utc: Vec<String> = got
        .iter()
        .map(|r| r.start.format("%m-%d %H:%M").to_string())
        .collect();
    // EST is UTC-5 before the change, EDT UTC-4 after.
    assert_eq!(
        utc,
        ["03-01 14:00", "03-08 14:00", "03-15 13:00", "03-22 13:00"]
    );
}

#[test]
fn an_unplaced_period_says_what_blocked_it() {
    let s = setup(
        r#"
[[focus]]
days = ["tue"]
time = "09:00-12:00"
[[one_on_ones]]
with = "sam@acme.example"
title = "Sam"
every = "1w"
duration = "30m"
prefer = { days = ["mon"], time = "09:00-10:00" }
fallback = { days = ["mon", "tue"], time = "09:00-12:00" }
"#,
    );
    let (_, unplaced) = run(
        &s,
        vec![busy("mon", (2026, 12, 14, 9, 0), 180)],
        &[],
        ny(2026, 12, 7, 8, 0),
    );
    assert_eq!(unplaced.len(), 1, "{unplaced:#?}");
    let u = &unplaced[0];
    assert_eq!(u.period_start, ny(2026, 12, 14, 0, 0));
    assert_eq!(u.period_end, ny(2026, 12, 21, 0, 0));
    assert_eq!(
        u.reason,
        "no free 30m slot in mon/tue 09:00-12:00 of the week of 2026-12-14: \
         of its 22 quarter-hour starts, 11 overlap busy events, 11 overlap focus time"
    );
}

#[test]
fn output_is_sorted_by_start_then_series() {
    let s = setup(Box::leak(
        format!(
            "{SAM_WEEKLY}\n[[one_on_ones]]\nwith = \"lee@acme.example\"\ntitle = \"Lee\"\n\
             every = \"1w\"\nduration = \"30m\"\nprefer = {{ days = [\"mon\"], time = \"08:00-09:00\" }}\n"
        )
        .into_boxed_str(),
    ));
    // Lee's window is before working hours: the fallback (working hours) puts Lee at 09:30,
    // after Sam, though Lee's series is later in the file.
    let (got, _) = run(&s, vec![], &[], ny(2026, 12, 7, 8, 0));
    let keys: Vec<(DateTime<Utc>, String)> =
        got.iter().map(|r| (r.start, r.series.clone())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(
        shown(&got)[..2],
        [
            "Sam Mon 2026-12-07 09:00-09:30",
            "Lee Mon 2026-12-07 09:30-10:00"
        ]
    );
}

#[test]
fn previous_reservations_stay_put() {
    let s = setup(SAM_WEEKLY);
    let now = ny(2026, 12, 7, 8, 0);
    // Run 1: a meeting on the 14th moves that week's 1:1 to 10:00.
    let blocker = busy("offsite", (2026, 12, 14, 9, 0), 60);
    let (first, _) = run(&s, vec![blocker], &[], now);
    assert_eq!(shown(&first)[1], "Sam Mon 2026-12-14 10:00-10:30");

    // Run 2: the meeting was cancelled (09:00 is free again) and an unrelated meeting
    // appeared. Nothing moves: people plan around their 1:1s.
    let unrelated = busy("lunch", (2026, 12, 15, 12, 0), 60);
    let (second, _) = run(&s, vec![unrelated.clone()], &first, now);
    assert_eq!(second, first);

    // Run 3: a new meeting lands on the reserved slot of the 21st: only that one moves.
    let clash = busy("board", (2026, 12, 21, 9, 0), 30);
    let (third, _) = run(&s, vec![unrelated, clash], &second, now);
    let moved: Vec<(String, String)> = shown(&second)
        .into_iter()
        .zip(shown(&third))
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        moved,
        [(
            "Sam Mon 2026-12-21 09:00-09:30".to_string(),
            "Sam Mon 2026-12-21 09:30-10:00".to_string()
        )]
    );
}

#[test]
fn a_reservation_already_past_in_the_current_period_is_kept_not_repeated() {
    let s = setup(SAM_WEEKLY);
    let (first, _) = run(&s, vec![], &[], ny(2026, 12, 7, 8, 0));
    // Later that Monday: the 09:00 1:1 has happened; no second one this week.
    let (later, _) = run(&s, vec![], &first, ny(2026, 12, 7, 11, 0));
    assert_eq!(shown(&later)[0], "Sam Mon 2026-12-07 09:00-09:30");
    assert_eq!(later.len(), 4);
}

#[test]
fn previous_reservations_outside_the_windows_are_moved() {
    // The assistant changed prefer from Monday to Tuesday: last run's Monday slots go.
    let s = setup(SAM_WEEKLY);
    let now = ny(2026, 12, 7, 8, 0);
    let (first, _) = run(&s, vec![], &[], now);
    let tuesday = setup(
        r#"
[[one_on_ones]]
with = "sam@acme.example"
title = "Sam"
every = "1w"
duration = "30m"
prefer = { days = ["tue"], time = "09:00-10:00" }
fallback = { days = ["tue"], time = "09:00-17:00" }
"#,
    );
    let (second, _) = run(&tuesday, vec![], &first, now);
    assert!(
        shown(&second).iter().all(|s| s.contains("Tue")),
        "{:?}",
        shown(&second)
    );
}

#[test]
fn no_series_no_work() {
    let (r, u) = run(
        &setup(""),
        vec![busy("x", (2026, 12, 7, 9, 0), 30)],
        &[],
        ny(2026, 12, 7, 8, 0),
    );
    assert!(r.is_empty() && u.is_empty());
}
