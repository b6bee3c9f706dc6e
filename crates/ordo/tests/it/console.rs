//! The operator console (`/ops/`): staff accounts activated from a link,
//! a password and a TOTP code at every sign-in (a code works once),
//! single-use recovery codes, disabling ends every session, each route
//! refused to the roles the platform policy refuses.

use crate::helpers::*;
use ordo_core::staff::{PlatformRole, StaffAction, staff_may};
use ordo_web::console::{OPS_ROUTES, OpsAccess};

/// The code an authenticator app shows now (on the server's clock).
pub fn code_now(t: &TestApp, secret: &[u8]) -> String {
    let step = ordo_crypto::totp::step_of(t.app.now().unix());
    ordo_crypto::totp::hotp(secret, step as u64, 6)
}

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    body.split(start).nth(1).and_then(|s| s.split(end).next()).unwrap_or_default()
}

/// A staff member, activated, enrolled and signed in: (client, id, TOTP
/// secret, address, recovery codes).
pub struct SignedIn {
    pub client: Client,
    pub id: ordo_core::ids::StaffId,
    pub secret: Vec<u8>,
    pub email: String,
    pub codes: Vec<String>,
}

pub async fn staff_signed_in(t: &TestApp, role: PlatformRole) -> SignedIn {
    let email = TestApp::email(role.as_str());
    let (id, link) = ordo_app::staff::invite(&t.app, None, &email, &format!("Sam {role}"), role).await.unwrap();
    let path = link.replace(&t.app.settings.public_url, "");
    let c = t.client();
    assert_eq!(c.get(&path).await.status, 200);
    let r = c.post_form(&path, &[("password", PASSWORD)]).await;
    assert_eq!((r.status, r.location()), (303, "/ops/login?notice=activated".to_owned()), "{}", r.body);
    c.get("/ops/login").await;
    let r = c.post_form("/ops/login", &[("email", &email), ("password", PASSWORD)]).await;
    assert_eq!((r.status, r.location()), (303, "/ops/enrol".to_owned()), "{}", r.body);
    let page = c.get("/ops/enrol").await.body;
    let secret_b32 = between(&page, "id=\"totp-secret\">", "<").to_owned();
    let secret = ordo_crypto::totp::base32_decode(&secret_b32).unwrap();
    assert_eq!(secret.len(), 20);
    assert!(page.contains("otpauth://totp/Ordo%20operator:"), "{page}");
    let sealed = between(&page, "name=\"sealed\" value=\"", "\"").to_owned();
    let r = c.post_form("/ops/enrol", &[("code", &code_now(t, &secret)), ("sealed", &sealed)]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let codes: Vec<String> =
        r.body.split("<li><code>").skip(1).map(|s| s.split('<').next().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10, "{}", r.body);
    // The code that confirmed the enrolment is spent: the next sign-in
    // needs the next step's.
    t.clock.advance_secs(30);
    SignedIn { client: c, id, secret, email, codes }
}

both!(staff_sign_in_with_a_password_and_a_one_time_code_that_works_once, |engine| {
    let t = TestApp::spawn(engine).await;
    let ada = staff_signed_in(&t, PlatformRole::OperatorAdmin).await;
    let c = &ada.client;
    // The invitation (its link is a secret) waits in the outbox sealed.
    // (Once sent, it keeps its status and times only.)
    let status = t.db.text("SELECT status FROM mail_outbox WHERE tenant_id IS NULL").await;
    let recipient = t.db.text("SELECT recipient FROM mail_outbox WHERE tenant_id IS NULL").await;
    if status == "sent" {
        assert_eq!(recipient, "", "a sent invitation keeps no recipient");
    } else {
        assert!(recipient.starts_with("ep:") && !recipient.contains(&ada.email), "{recipient}");
    }
    assert_eq!(c.get("/ops/").await.status, 200, "enrolled and signed in");
    // Stored sealed, never the secret itself.
    let stored = t.db.text("SELECT totp_secret FROM staff").await;
    assert!(!stored.contains(&ordo_crypto::totp::base32(&ada.secret)));
    assert_eq!(t.db.text("SELECT CAST(COUNT(*) AS TEXT) FROM staff_recovery_codes").await, "10");
    assert!(!t.db.text("SELECT code_hash FROM staff_recovery_codes LIMIT 1").await.contains('-'));

    c.get("/ops/").await;
    assert_eq!(c.post_form("/ops/logout", &[]).await.location(), "/ops/login?notice=signed_out");
    assert_eq!(c.get("/ops/").await.location(), "/ops/login");
    // The password alone opens nothing but the code page.
    c.get("/ops/login").await;
    let r = c.post_form("/ops/login", &[("email", &ada.email), ("password", "wrong password, clearly")]).await;
    assert_eq!(r.status, 401);
    let r = c.post_form("/ops/login", &[("email", &ada.email), ("password", PASSWORD)]).await;
    assert_eq!(r.location(), "/ops/mfa");
    assert_eq!(c.get("/ops/").await.location(), "/ops/mfa");
    assert_eq!(c.get("/ops/staff").await.location(), "/ops/mfa");
    let code = code_now(&t, &ada.secret);
    c.get("/ops/mfa").await;
    let r = c.post_form("/ops/mfa", &[("code", "000000")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("not right, or was already used"), "{}", r.body);
    let half_cookie = c.cookie(ordo_web::console::COOKIE).unwrap();
    let r = c.post_form("/ops/mfa", &[("code", &code)]).await;
    assert_eq!(r.location(), "/ops/", "{}", r.body);
    assert_eq!(c.get("/ops/").await.status, 200);
    // The code renews the session's cookie: the one the password alone
    // opened is worth nothing.
    assert_ne!(c.cookie(ordo_web::console::COOKIE).unwrap(), half_cookie);
    let stale = t.client();
    stale.set_cookie(ordo_web::console::COOKIE, &half_cookie);
    assert_eq!(stale.get("/ops/").await.location(), "/ops/login");

    // The same code again, from another sign-in: refused (replay).
    let other = t.client();
    other.get("/ops/login").await;
    other.post_form("/ops/login", &[("email", &ada.email), ("password", PASSWORD)]).await;
    other.get("/ops/mfa").await;
    let r = other.post_form("/ops/mfa", &[("code", &code)]).await;
    assert_eq!(r.status, 422, "a used code is refused");
    // A recovery code works, once.
    let r = other.post_form("/ops/mfa", &[("code", &ada.codes[0].to_uppercase())]).await;
    assert_eq!(r.location(), "/ops/", "{}", r.body);
    let third = t.client();
    third.get("/ops/login").await;
    third.post_form("/ops/login", &[("email", &ada.email), ("password", PASSWORD)]).await;
    third.get("/ops/mfa").await;
    assert_eq!(third.post_form("/ops/mfa", &[("code", &ada.codes[0])]).await.status, 422, "spent");
    // The next step's code is good.
    t.clock.advance_secs(30);
    assert_eq!(third.post_form("/ops/mfa", &[("code", &code_now(&t, &ada.secret))]).await.location(), "/ops/");
    // A half-done sign-in expires: ten minutes to give the code.
    let slow = t.client();
    slow.get("/ops/login").await;
    slow.post_form("/ops/login", &[("email", &ada.email), ("password", PASSWORD)]).await;
    t.clock.advance_secs(11 * 60);
    assert_eq!(slow.get("/ops/mfa").await.location(), "/ops/login");

    // Everything is in the platform audit log, whose chain holds.
    let kinds =
        t.db.text("SELECT COALESCE(string_agg(kind, ','), '') FROM (SELECT kind FROM platform_audit ORDER BY seq) x")
            .await;
    for k in ["staff.invited", "staff.activated", "staff.mfa_enrolled", "staff.mfa_failed", "staff.login_succeeded"] {
        assert!(kinds.contains(k), "{k} in {kinds}");
    }
    // An activation link works once.
    let (_, link) = ordo_app::staff::invite(&t.app, None, &TestApp::email("x"), "X", PlatformRole::Csm).await.unwrap();
    let path = link.replace(&t.app.settings.public_url, "");
    let n = t.client();
    n.get(&path).await;
    assert_eq!(n.post_form(&path, &[("password", "short")]).await.status, 422, "the password policy holds");
    assert_eq!(n.post_form(&path, &[("password", PASSWORD)]).await.status, 303);
    n.get(&path).await;
    assert_eq!(n.post_form(&path, &[("password", PASSWORD)]).await.status, 410);
});

both!(disabling_a_staff_member_ends_their_sessions_and_roles_decide_the_rest, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, tenant_owner) = t.tenant_with_owner().await;
    let admin = staff_signed_in(&t, PlatformRole::OperatorAdmin).await;
    let agent = staff_signed_in(&t, PlatformRole::SupportAgent).await;
    let csm = staff_signed_in(&t, PlatformRole::Csm).await;
    // Signed in twice (two browsers).
    t.clock.advance_secs(30);
    let agent2 = t.client();
    agent2.get("/ops/login").await;
    agent2.post_form("/ops/login", &[("email", &agent.email), ("password", PASSWORD)]).await;
    agent2.get("/ops/mfa").await;
    assert_eq!(agent2.post_form("/ops/mfa", &[("code", &code_now(&t, &agent.secret))]).await.location(), "/ops/");
    // A tenant's session is no key to the console.
    assert_eq!(tenant_owner.get("/ops/").await.location(), "/ops/login");

    // The status page lists the tenant; the admin gives it a CSM.
    let page = admin.client.get("/ops/").await.body;
    assert!(page.contains(&slug), "{page}");
    admin.client.get(&format!("/ops/tenants/{slug}")).await;
    let r = admin.client.post_form(&format!("/ops/tenants/{slug}/csm"), &[("csm", &csm.id.to_string())]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(admin.client.get("/ops/").await.body.contains("Sam csm"));
    // Only a CSM may be one.
    admin.client.get(&format!("/ops/tenants/{slug}")).await;
    let r = admin.client.post_form(&format!("/ops/tenants/{slug}/csm"), &[("csm", &agent.id.to_string())]).await;
    assert_eq!(r.status, 422);
    // Roles: the agent neither manages staff nor reads the platform audit.
    agent.client.get("/ops/").await;
    assert_eq!(agent.client.get("/ops/audit").await.status, 403);
    let r = agent.client.post_form("/ops/staff", &[("email", "new@example.org"), ("name", "N"), ("role", "csm")]).await;
    assert_eq!(r.status, 403);
    assert_eq!(admin.client.get("/ops/audit").await.status, 200);

    // Disabled: both of the agent's sessions end at once, and sign-in fails.
    admin.client.get("/ops/staff").await;
    let r = admin.client.post_form(&format!("/ops/staff/{}/disable", agent.id), &[]).await;
    assert_eq!(r.location(), "/ops/staff?notice=disabled");
    assert_eq!(
        t.db.text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM staff_sessions WHERE staff_id = '{}'", agent.id)).await,
        "0"
    );
    assert_eq!(agent.client.get("/ops/").await.location(), "/ops/login");
    assert_eq!(agent2.get("/ops/").await.location(), "/ops/login");
    agent2.get("/ops/login").await;
    assert_eq!(agent2.post_form("/ops/login", &[("email", &agent.email), ("password", PASSWORD)]).await.status, 401);
    // Nobody disables themselves.
    admin.client.get("/ops/staff").await;
    assert_eq!(admin.client.post_form(&format!("/ops/staff/{}/disable", admin.id), &[]).await.status, 403);
    let audit = admin.client.get("/ops/audit").await.body;
    assert!(audit.contains("staff.disabled") && audit.contains("tenant.csm_assigned"), "{audit}");
});

/// Who calls the console.
#[derive(Clone, Copy, Debug)]
enum Caller {
    Anonymous,
    /// Signed in with the password, no code yet.
    PasswordOnly,
    Role(PlatformRole),
}

both!(every_console_route_answers_every_caller_by_the_platform_policy, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, _c) = t.tenant_with_owner().await;
    let anon = t.client();
    let mut signed = Vec::new();
    for role in PlatformRole::ALL {
        signed.push((role, staff_signed_in(&t, role).await));
    }
    let half = t.client();
    half.get("/ops/login").await;
    half.post_form("/ops/login", &[("email", &signed[0].1.email), ("password", PASSWORD)]).await;
    let target = staff_signed_in(&t, PlatformRole::Csm).await;
    let mut callers: Vec<(Caller, &Client)> = vec![(Caller::Anonymous, &anon), (Caller::PasswordOnly, &half)];
    callers.extend(signed.iter().map(|(r, s)| (Caller::Role(*r), &s.client)));
    let mut checked = 0;
    for route in OPS_ROUTES.iter() {
        for (caller, client) in &callers {
            let path =
                route.path.replace("{slug}", &slug).replace("{id}", &target.id.to_string()).replace("{token}", "x");
            client.get(if matches!(caller, Caller::Anonymous) { "/ops/login" } else { "/ops/mfa" }).await;
            if let Caller::Role(_) = caller {
                client.get("/ops/").await;
            }
            let res = if route.method == "GET" {
                client.get(&path).await
            } else {
                // Bodies that a handler refuses on their merits, not on access.
                let fields: &[(&str, &str)] = match route.path {
                    "/ops/login" => &[("email", "nobody@example.org"), ("password", "not the password")],
                    "/ops/mfa" | "/ops/enrol" => &[("code", "000000"), ("sealed", "x")],
                    "/ops/staff" => &[("email", "not an address"), ("name", "N"), ("role", "csm")],
                    _ => &[("password", "x"), ("csm", "")],
                };
                client.post_form(&path, fields).await
            };
            let what = format!("{caller:?} {} {}: {} {}", route.method, route.path, res.status, res.location());
            assert!(res.status < 500, "{what} {}", res.body);
            let to_login = res.status == 303 && res.location() == "/ops/login";
            let to_code = res.status == 303 && (res.location() == "/ops/mfa" || res.location() == "/ops/enrol");
            match (route.access, caller) {
                // A failed sign-in is 401, a bad link 410: the handler's own answers.
                (OpsAccess::Public, _) => assert!(res.status != 403, "public: {what}"),
                (_, Caller::Anonymous) => assert!(to_login || res.status == 401, "anonymous: {what}"),
                (OpsAccess::Password, _) => assert!(!to_login && !matches!(res.status, 401 | 403), "{what}"),
                (OpsAccess::Staff(_), Caller::PasswordOnly) => {
                    assert!(to_code || res.status == 401, "needs the code: {what}")
                }
                (OpsAccess::Staff(action), Caller::Role(role)) => {
                    let allowed = staff_may(*role, action);
                    assert_eq!(!matches!(res.status, 401 | 403) && !to_login && !to_code, allowed, "{what}");
                }
            }
            // Signing out ends the session: sign in again for what follows.
            if route.path == "/ops/logout" {
                if let Caller::Role(r) = caller {
                    let s = &signed.iter().find(|(x, _)| x == r).unwrap().1;
                    t.clock.advance_secs(30);
                    client.get("/ops/login").await;
                    client.post_form("/ops/login", &[("email", &s.email), ("password", PASSWORD)]).await;
                    client.get("/ops/mfa").await;
                    client.post_form("/ops/mfa", &[("code", &code_now(&t, &s.secret))]).await;
                } else if let Caller::PasswordOnly = caller {
                    client.get("/ops/login").await;
                    client.post_form("/ops/login", &[("email", &signed[0].1.email), ("password", PASSWORD)]).await;
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, OPS_ROUTES.len() * 6);
    assert!(OPS_ROUTES.iter().any(|r| r.access == OpsAccess::Staff(StaffAction::ManageStaff)));
});

/// A staff member as the use cases see them once signed in with both
/// factors, without going through the pages (tests of other features).
pub async fn staff_auth(t: &TestApp, role: PlatformRole) -> ordo_app::staff::StaffAuth {
    let (id, link) =
        ordo_app::staff::invite(&t.app, None, &TestApp::email(role.as_str()), &format!("Sam {role}"), role)
            .await
            .unwrap();
    ordo_app::staff::activate(&t.app, link.rsplit('/').next().unwrap(), PASSWORD).await.unwrap();
    let row = t.store.staff_by_id(id).await.unwrap().unwrap();
    let now = t.app.now();
    ordo_app::staff::StaffAuth {
        session: ordo_store::StaffSession {
            id: ordo_core::ids::StaffSessionId::new(),
            staff_id: id,
            csrf_token: String::new(),
            mfa_passed: true,
            created_at: now,
            last_seen_at: now,
            expires_at: now,
        },
        staff: row.into(),
    }
}

/// Sign a staff member in again (after their session ran out): password,
/// then the next step's code.
pub async fn sign_in_again(t: &TestApp, s: &SignedIn) {
    t.clock.advance_secs(30);
    let c = &s.client;
    c.get("/ops/login").await;
    let r = c.post_form("/ops/login", &[("email", &s.email), ("password", PASSWORD)]).await;
    assert_eq!(r.location(), "/ops/mfa");
    c.get("/ops/mfa").await;
    assert_eq!(c.post_form("/ops/mfa", &[("code", &code_now(t, &s.secret))]).await.location(), "/ops/");
}
