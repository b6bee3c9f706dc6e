//! Metrics for the operator (issue 6, point 1): on a listener of their own,
//! requests and latency by route template, never a concrete path; backup
//! age per tenant; outbox and jobs.

use crate::helpers::*;
use ordo_core::tenant::Slug;

both!(metrics_count_requests_by_route_template_on_their_own_listener, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, c) = t.tenant_with_owner().await;
    assert_eq!(c.get(&format!("/t/{slug}/meetings")).await.status, 200);
    let missing = format!("/t/{slug}/meetings/00000000-0000-4000-8000-000000000000");
    assert_eq!(c.get(&missing).await.status, 404);
    ordo_app::backups::run(&t.app, &Slug::parse(&slug).unwrap()).await.unwrap();
    // Methods a client makes up are one label, not a series each.
    for m in ["FOO1", "BAR2", "X-ANYTHING"] {
        let method = reqwest::Method::from_bytes(m.as_bytes()).unwrap();
        let r = c.send(c.request(method, &format!("/t/{slug}/meetings"))).await;
        assert!(r.status >= 400, "{m}: {}", r.status);
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(ordo_web::serve_metrics(listener, t.app.clone(), std::future::pending()));
    let r = reqwest::get(format!("http://{addr}/metrics")).await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = r.text().await.unwrap();
    let count = |needle: &str| -> i64 {
        text.lines()
            .find(|l| l.starts_with(needle))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{needle} not in:\n{text}"))
    };
    assert!(count(r#"ordo_http_requests_total{route="/t/{slug}/meetings",method="GET",status="200"}"#) >= 1);
    assert_eq!(count(r#"ordo_http_requests_total{route="/t/{slug}/meetings/{id}",method="GET",status="404"}"#), 1);
    assert!(count(r#"ordo_http_request_duration_seconds_count{route="/t/{slug}/meetings"}"#) >= 1);
    assert!(text.contains(r#"ordo_http_request_duration_seconds_bucket{route="/t/{slug}/meetings",le="+Inf"}"#));
    assert!(
        count(r#"ordo_http_requests_total{route="/t/{slug}/meetings",method="other",status="405"}"#) >= 3,
        "{text}"
    );
    assert!(!text.contains("FOO1") && !text.contains("X-ANYTHING"), "{text}");
    // Templates only: no tenant's slug, no id in a route label.
    assert!(!text.contains(&format!("route=\"/t/{slug}")), "{text}");
    assert!(!text.contains("00000000-0000-4000"), "{text}");
    // Backup age per tenant (the clock has not moved since the backup).
    assert_eq!(count(&format!("ordo_backup_last_success_age_seconds{{tenant=\"{slug}\"}}")), 0);
    assert!(count("ordo_mail_outbox_pending ") >= 0);
    assert!(count("ordo_db_pool_connections ") >= 1);
    assert_eq!(count("ordo_job_failures_24h "), 0);
    t.clock.advance_secs(3600);
    let text = reqwest::get(format!("http://{addr}/metrics")).await.unwrap().text().await.unwrap();
    assert!(text.contains(&format!("ordo_backup_last_success_age_seconds{{tenant=\"{slug}\"}} 3600")), "{text}");
    // Never on the public listener.
    assert_eq!(c.get("/metrics").await.status, 404);
});
