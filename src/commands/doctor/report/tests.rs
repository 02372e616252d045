use super::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn delivery(at: &str) -> LastDelivery {
    LastDelivery {
        id: "guid-1".into(),
        event: "issue_comment".into(),
        action: Some("created".into()),
        received_ms: ts(at).as_millisecond(),
    }
}

#[test]
fn a_delivery_after_the_comment_means_webhooks_arrive() {
    let c = webhooks(
        Some(&delivery("2022-11-16T12:00:01Z")),
        ts("2022-11-16T12:00:00Z"),
        ts("2022-11-16T12:10:00Z"),
        true,
    );
    assert_eq!(c.status, Status::Ok, "{c:?}");
    assert!(
        c.found
            .contains("`issue_comment.created`, came 9 minutes ago")
    );
}

#[test]
fn a_delivery_long_before_the_comment_is_stale_and_none_at_all_too() {
    let c = webhooks(
        Some(&delivery("2022-11-13T09:00:00Z")),
        ts("2022-11-16T12:00:00Z"),
        ts("2022-11-16T12:01:00Z"),
        true,
    );
    assert!(c.needs_fixing());
    assert!(c.found.contains("3 days 3 hours before"), "{}", c.found);
    assert!(c.fix.as_deref().unwrap().contains("Recent Deliveries"));
    let none = webhooks(
        None,
        ts("2022-11-16T12:00:00Z"),
        ts("2022-11-16T12:00:00Z"),
        true,
    );
    assert!(none.needs_fixing() && none.found.contains("has ever reached"));
    let one_shot = webhooks(
        None,
        ts("2022-11-16T12:00:00Z"),
        ts("2022-11-16T12:00:00Z"),
        false,
    );
    assert_eq!(one_shot.status, Status::Info);
}

#[test]
fn a_missing_permission_and_event_are_named_with_their_fix() {
    let info: AppInfo = serde_json::from_value(serde_json::json!({
        "id": 1, "slug": "sprintbot", "name": "sprintbot",
        "permissions": {"issues": "write", "metadata": "read", "contents": "read",
                        "members": "read", "checks": "write"},
        "events": ["issues", "issue_comment", "push", "pull_request", "installation_target"]
    }))
    .unwrap();
    let c = permissions(Some(&info));
    assert!(c.needs_fixing());
    assert!(
        c.found.contains("permission pull_requests: read"),
        "{}",
        c.found
    );
    assert_eq!(permissions(None).status, Status::Info);
}

#[test]
fn a_low_budget_is_a_problem_and_a_full_one_is_not() {
    let utc = TimeZone::UTC;
    let low = Budget {
        remaining: Some(12),
        limit: Some(5000),
        reset: Some(ts("2022-11-16T13:00:00Z")),
    };
    let c = budget(&low, &utc);
    assert!(c.needs_fixing());
    assert!(c.found.contains("only 12 of 5000"), "{}", c.found);
    assert!(c.found.contains("13:00"), "{}", c.found);
    let full = Budget {
        remaining: Some(4990),
        ..low
    };
    assert_eq!(budget(&full, &utc).status, Status::Ok);
    assert_eq!(budget(&Budget::default(), &utc).status, Status::Info);
}

#[test]
fn the_checklist_marks_each_item_and_counts_what_needs_fixing() {
    let text = render(
        "<!-- m -->",
        "acme/app",
        &[
            Check::ok("Config", "valid"),
            Check::bad("Labels", "missing `sprint`", "create it"),
            Check::failed("Pinned issue", "GET pins", &"502 Bad Gateway"),
            Check::info("Webhook deliveries", "not used: one-shot mode"),
        ],
    );
    insta::assert_snapshot!(text);
    assert!(
        text.starts_with("<!-- m -->\n**sprintbot doctor** for acme/app: 2 things need fixing.")
    );
}

#[test]
fn information_is_marked_but_never_counted_as_something_to_fix() {
    let text = render(
        "<!-- m -->",
        "acme/app",
        &[
            Check::ok("Config", "valid"),
            Check::info("Labels", "`sprintbot` is not there yet"),
        ],
    );
    assert!(
        text.starts_with(
            "<!-- m -->\n**sprintbot doctor** for acme/app: everything sprintbot needs is in place."
        ),
        "{text}"
    );
    assert!(
        text.contains("- ℹ️ **Labels**: `sprintbot` is not there yet\n"),
        "{text}"
    );
    assert!(!text.contains("Fix:"), "{text}");
}

#[test]
fn spans_read_as_words() {
    let a = ts("2022-11-16T12:00:00Z");
    assert_eq!(span(a, ts("2022-11-16T12:01:30Z")), "1 minute");
    assert_eq!(span(a, ts("2022-11-16T15:00:00Z")), "3 hours");
    assert_eq!(span(a, ts("2022-11-18T12:00:00Z")), "2 days");
    assert_eq!(span(a, ts("2022-11-17T13:00:00Z")), "1 day 1 hour");
    assert_eq!(span(a, a), "0 minutes");
}
