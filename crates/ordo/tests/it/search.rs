//! Search (requirement M14): words said or written in any meeting a user may
//! see are found again, in French and English, with or without accents and
//! plurals, on an encrypted tenant whose database holds no word in clear.

use crate::helpers::*;

/// The titles found for `q` (element titles, or the meeting's title).
async fn found(c: &Client, slug: &str, q: &str) -> Vec<String> {
    let r = c.get(&format!("/t/{slug}/search?q={}", form_encode(&[("", q)]).trim_start_matches('='))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut out = Vec::new();
    for chunk in r.body.split("<li class=\"result\">").skip(1) {
        let a = &chunk[chunk.find("<a href=").unwrap()..];
        let text = &a[a.find('>').unwrap() + 1..a.find("</a>").unwrap()];
        let text = text.rsplit("</span> ").next().unwrap();
        out.push(text.replace("&#39;", "'").replace("&amp;", "&"));
    }
    out
}

both!(words_of_the_meetings_one_may_see_are_found_without_storing_them, |engine| {
    let t = TestApp::spawn(engine).await;
    let (slug, _owner, org) = t.tenant_with_owner().await;
    let (member, mc) = t.member(&slug, &org, "member").await;
    let (_outsider, oc) = t.member(&slug, &org, "member").await;
    org.get(&format!("/t/{slug}/meetings")).await;
    let r = org
        .post_form(
            &format!("/t/{slug}/meetings"),
            &[
                ("title", "Budgets 2027"),
                ("starts_at", "2027-01-11T10:00"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "60"),
            ],
        )
        .await;
    let path = r.location().split('?').next().unwrap().to_owned();
    org.post_form(&format!("{path}/participants"), &[("email", &member), ("role", "contributor")]).await;
    org.post_form(&format!("{path}/topics"), &[("title", "Recrutements")]).await;
    let page = org.get(&path).await.body;
    let topic = page.split("id=\"topic-").nth(1).unwrap()[..36].to_owned();
    for (kind, title, description) in [
        ("discuss", "Les élections du comité", "<p>Préparer les budgets d’été</p>"),
        ("action", "Send the policies to the board", ""),
        ("note", "Café et croissants", ""),
    ] {
        let r = org
            .post_form(
                &format!("{path}/elements"),
                &[("topic", &topic), ("kind", kind), ("title", title), ("description", description)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let page = org.get(&path).await.body;
    let election = page.split("id=\"el-").nth(1).unwrap()[..36].to_owned();
    org.post_form(&format!("{path}/elements/{election}/comments"), &[("body", "Vérifier les chiffres du trimestre")])
        .await;

    // Accents, case, plurals and elisions fold; every word must be there.
    assert_eq!(found(&org, &slug, "ELECTION").await, vec!["Les élections du comité"]);
    assert_eq!(found(&org, &slug, "élections comite").await, vec!["Les élections du comité"]);
    assert_eq!(found(&org, &slug, "policy").await, vec!["Send the policies to the board"]);
    assert_eq!(found(&org, &slug, "cafe").await, vec!["Café et croissants"]);
    assert_eq!(found(&org, &slug, "chiffre").await, vec!["Les élections du comité"], "remarks are searched");
    assert_eq!(found(&org, &slug, "ete").await, vec!["Les élections du comité"], "descriptions are searched");
    assert!(found(&org, &slug, "election banane").await.is_empty());
    assert!(found(&org, &slug, "the of").await.is_empty(), "stop words find nothing");
    // Ranked: the meeting's title weighs more than a word in a description.
    assert_eq!(found(&org, &slug, "budget").await, vec!["Budgets 2027", "Les élections du comité"]);

    // Only what one may see: nothing before the meeting is shared, nothing
    // for someone who is not in it.
    assert!(found(&mc, &slug, "election").await.is_empty(), "not shared yet");
    org.get(&path).await;
    org.post_form(&format!("{path}/share"), &[]).await;
    assert_eq!(found(&mc, &slug, "election").await, vec!["Les élections du comité"]);
    assert!(found(&oc, &slug, "election").await.is_empty(), "not a participant");

    // A change is found at once, and what it replaced no longer is.
    let token = token_for(&org, &slug, "search").await;
    let api = t.client();
    let mid = path.rsplit('/').next().unwrap();
    let r = api
        .send(
            api.request(reqwest::Method::PATCH, &format!("/t/{slug}/api/v1/meetings/{mid}/elements/{election}"))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(r#"{"version":1,"title":"Le vote du bureau"}"#),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(found(&mc, &slug, "election").await.is_empty());
    assert_eq!(found(&mc, &slug, "vote bureau").await, vec!["Le vote du bureau"]);

    // The API gives the same, with where each hit is.
    let r = api
        .send(
            api.request(reqwest::Method::GET, &format!("/t/{slug}/api/v1/search?q=vote"))
                .header("authorization", format!("Bearer {token}")),
        )
        .await;
    assert_eq!(r.status, 200);
    let hit = &r.json()["results"][0];
    assert_eq!((hit["kind"].as_str(), hit["title"].as_str()), (Some("discuss"), Some("Le vote du bureau")));
    assert_eq!(hit["meeting_id"].as_str(), Some(mid));

    // No word in clear anywhere in the database; the index holds keyed
    // hashes, which differ between organisations for the same word.
    let raw = t.raw_storage().await;
    for word in ["Recrutement", "recrutement", "croissant", "trimestre", "policies", "policy", "bureau"] {
        assert!(!raw.contains(word), "{word:?} stored in clear");
    }
    let (slug2, _o2, org2) = t.tenant_with_owner().await;
    org2.get(&format!("/t/{slug2}/meetings")).await;
    org2.post_form(
        &format!("/t/{slug2}/meetings"),
        &[
            ("title", "Budgets 2027"),
            ("starts_at", "2027-01-11T10:00"),
            ("time_zone", "UTC"),
            ("duration_minutes", "30"),
        ],
    )
    .await;
    assert_eq!(found(&org2, &slug2, "budget").await, vec!["Budgets 2027"]);
    assert!(found(&org2, &slug2, "vote").await.is_empty(), "another organisation's words are not found");
    let shared =
        t.db.text(
            "SELECT CAST(COUNT(*) AS TEXT) FROM search_terms a JOIN search_terms b
             ON a.term = b.term AND a.tenant_id <> b.tenant_id",
        )
        .await;
    assert_eq!(shared, "0", "the same word hashes differently in another organisation");
});
