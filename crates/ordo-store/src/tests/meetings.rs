//! Behaviour of the store's queries on both engines, below the use cases:
//! optimistic versions, the agenda's order, tenant scoping and uniqueness.

use super::{TestDb, both};
use crate::{MeetingRow, NewUser, Sealed, Store, StoreError, TopicRow, Unique};
use ordo_core::ids::{MeetingId, TenantId, TopicId, UserId};
use ordo_core::meeting::MeetingStatus;
use ordo_core::tenant::{Plan, Slug, Tenant};
use ordo_core::time::Timestamp;
use ordo_core::user::{Role, UserStatus};

fn plain(s: &str) -> Sealed {
    Sealed::from_storage(format!("p:{s}"))
}

fn now() -> Timestamp {
    Timestamp::from_unix(1_900_000_000)
}

/// A tenant with one owner, written through the store.
async fn tenant(store: &Store, slug: &str) -> (TenantId, UserId) {
    let t = Tenant {
        id: TenantId::new(),
        slug: Slug::parse(slug).unwrap(),
        name: slug.into(),
        plan: Plan::Free,
        created_at: now(),
        encryption: false,
        key_version: 1,
        reseal_pending: false,
        people_revision: 0,
    };
    let owner = UserId::new();
    let mut tx = store.begin().await.unwrap();
    tx.insert_tenant(&t).await.unwrap();
    tx.insert_user(t.id, &user(owner, &format!("owner-{slug}")), now()).await.unwrap();
    tx.commit().await.unwrap();
    (t.id, owner)
}

fn user(id: UserId, index: &str) -> NewUser {
    NewUser {
        id,
        email: plain(&format!("{index}@example.org")),
        email_index: index.into(),
        display_name: plain(index),
        role: Role::Owner,
        status: UserStatus::Active,
        locale: None,
    }
}

fn meeting(tenant: TenantId, organiser: UserId, title: &str) -> MeetingRow {
    MeetingRow {
        tenant_id: tenant,
        id: MeetingId::new(),
        title: plain(title),
        objectives: plain(""),
        place: plain(""),
        starts_at: now(),
        time_zone: "Europe/Paris".into(),
        duration_minutes: 60,
        organiser_id: organiser,
        status: MeetingStatus::Draft,
        version: 1,
        revision: 0,
        ics_sequence: 0,
        created_at: now(),
        updated_at: now(),
    }
}

async fn insert(store: &Store, m: &MeetingRow) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_meeting(m).await.unwrap();
    tx.commit().await.unwrap();
}

/// Write `m` if the stored version is still `version`; whether it was.
async fn update(store: &Store, m: &MeetingRow, version: i64) -> bool {
    let mut tx = store.begin().await.unwrap();
    let done = tx.update_meeting(m, version, now()).await.unwrap();
    tx.commit().await.unwrap();
    done
}

/// The stored version and title of a meeting.
async fn stored(store: &Store, tenant: TenantId, id: MeetingId) -> (i64, String) {
    let m = store.meeting_by_id(tenant, id).await.unwrap().unwrap();
    (m.version, m.title.as_storage().to_owned())
}

both!(a_meeting_changes_only_from_the_version_it_was_read_at, |engine| {
    let db = TestDb::migrated(engine).await;
    let (t, owner) = tenant(&db.store, "alpha").await;
    let m = meeting(t, owner, "Weekly");
    insert(&db.store, &m).await;

    // Two editors read version 1; the first to write wins, the second is told.
    let first = MeetingRow { title: plain("Weekly review"), ..m.clone() };
    let second = MeetingRow { title: plain("Weekly sync"), ..m.clone() };
    assert!(update(&db.store, &first, 1).await);
    assert!(!update(&db.store, &second, 1).await, "a stale version changes nothing");
    assert_eq!(stored(&db.store, t, m.id).await, (2, "p:Weekly review".to_owned()));
});

both!(topics_come_back_in_the_order_they_were_placed, |engine| {
    let db = TestDb::migrated(engine).await;
    let (t, owner) = tenant(&db.store, "alpha").await;
    let m = meeting(t, owner, "Weekly");
    let ids: Vec<TopicId> = (0..3).map(|_| TopicId::new()).collect();
    let mut tx = db.store.begin().await.unwrap();
    tx.insert_meeting(&m).await.unwrap();
    for (i, id) in ids.iter().enumerate() {
        let row =
            TopicRow { id: *id, meeting_id: m.id, parent_id: None, position: i as i64, title: plain(&format!("t{i}")) };
        tx.insert_topic(t, &row, now()).await.unwrap();
    }
    tx.place_topics(t, &[ids[2], ids[0], ids[1]]).await.unwrap();
    tx.commit().await.unwrap();
    let order: Vec<TopicId> = db.store.topics(t, m.id).await.unwrap().into_iter().map(|r| r.id).collect();
    assert_eq!(order, [ids[2], ids[0], ids[1]]);
});

both!(another_tenants_id_finds_and_changes_nothing, |engine| {
    let db = TestDb::migrated(engine).await;
    let (a, owner) = tenant(&db.store, "alpha").await;
    let (b, _) = tenant(&db.store, "beta").await;
    let m = meeting(a, owner, "Weekly");
    insert(&db.store, &m).await;
    assert!(db.store.meeting_by_id(b, m.id).await.unwrap().is_none());
    assert!(db.store.topics(b, m.id).await.unwrap().is_empty());
    let moved = MeetingRow { tenant_id: b, title: plain("Taken"), ..m.clone() };
    assert!(!update(&db.store, &moved, 1).await);
    assert_eq!(stored(&db.store, a, m.id).await, (1, "p:Weekly".to_owned()));
});

both!(an_address_is_taken_once_per_tenant, |engine| {
    let db = TestDb::migrated(engine).await;
    let (a, _) = tenant(&db.store, "alpha").await;
    let (b, _) = tenant(&db.store, "beta").await;
    let mut tx = db.store.begin().await.unwrap();
    tx.insert_user(a, &user(UserId::new(), "zoe"), now()).await.unwrap();
    let again = tx.insert_user(a, &user(UserId::new(), "zoe"), now()).await;
    assert!(matches!(again, Err(StoreError::Conflict(Unique::Email))), "{again:?}");
    drop(tx);
    // Rolled back as a whole; the same address in another tenant is another account.
    let mut tx = db.store.begin().await.unwrap();
    tx.insert_user(b, &user(UserId::new(), "zoe"), now()).await.unwrap();
    tx.commit().await.unwrap();
    assert!(db.store.list_users(a).await.unwrap().iter().all(|u| u.email.as_storage() != "p:zoe@example.org"));
    assert!(db.store.list_users(b).await.unwrap().iter().any(|u| u.email.as_storage() == "p:zoe@example.org"));
});
