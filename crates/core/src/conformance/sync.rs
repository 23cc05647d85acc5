//! Checks of the data-sync operations beyond create, read and update: an automation's status, a
//! partner function's `enabled` flag and its delete, and the connection's configuration
//! document.

use std::collections::BTreeMap;

use super::fixture::Fixture;
use super::support::{assert_not_found, automation, create, partner_function};
use crate::configuration::{
    Configuration, ConfigurationPatch, MAX_DOCUMENT_BYTES, PatchValue, Section, Value,
};
use crate::{
    AutomationId, AutomationStatus, ConnectionId, Error, ListQuery, PartnerFunctionId, Resource,
};

fn object(entries: &[(&str, PatchValue)]) -> PatchValue {
    PatchValue::Map(
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn text(value: &str) -> PatchValue {
    PatchValue::Text(value.to_owned())
}

/// What the vendor's SDK sends for a Xero connection.
fn sdk_patch() -> ConfigurationPatch {
    ConfigurationPatch::new([
        (
            Section::Account,
            object(&[
                (
                    "export",
                    object(&[
                        ("enabled", text("true")),
                        (
                            "account_receivable_mapping",
                            object(&[
                                ("enabled", PatchValue::Bool(true)),
                                (
                                    "mappings",
                                    PatchValue::List(vec![Value::Map(BTreeMap::from([
                                        ("source".to_owned(), Value::Text("1200".into())),
                                        ("target".to_owned(), Value::Text("610".into())),
                                    ]))]),
                                ),
                            ]),
                        ),
                    ]),
                ),
                ("import", object(&[("enabled", text("false"))])),
            ]),
        ),
        (
            Section::Transaction,
            object(&[(
                "invoice",
                object(&[("export", object(&[("enabled", text("true"))]))]),
            )]),
        ),
    ])
    .expect("a valid patch")
}

/// An automation is enabled and disabled by id, whatever its status was, and only it changes.
pub async fn automations_are_enabled_and_disabled(f: Fixture) {
    let conn = create(&*f.a, "switch-a").await;
    let one =
        f.a.create_automation(conn.id, automation("one"))
            .await
            .unwrap();
    let other =
        f.a.create_automation(conn.id, automation("other"))
            .await
            .unwrap();
    for _ in 0..2 {
        f.a.disable_automation(conn.id, one.id)
            .await
            .expect("disable");
    }
    let read = f.a.get_automation(conn.id, one.id).await.unwrap();
    assert_eq!(read.status, AutomationStatus::Inactive);
    assert_eq!(read.details, one.details, "only the status changes");
    assert_eq!(
        f.a.get_automation(conn.id, other.id).await.unwrap().status,
        AutomationStatus::Active,
        "the other automation is untouched"
    );
    f.a.enable_automation(conn.id, one.id)
        .await
        .expect("enable");
    assert_eq!(
        f.a.get_automation(conn.id, one.id).await.unwrap().status,
        AutomationStatus::Active
    );
    assert_not_found(
        f.a.enable_automation(conn.id, AutomationId::random()).await,
        Resource::Automation,
        "enable an unknown automation",
    );
    assert_not_found(
        f.a.disable_automation(ConnectionId::random(), one.id).await,
        Resource::Connection,
        "disable under an unknown connection",
    );
    assert_not_found(
        f.b.disable_automation(conn.id, one.id).await,
        Resource::Connection,
        "another tenant's automation",
    );
}

/// A partner function is enabled and disabled by id (its `updated` moves, `created` stays) and
/// deleted alone: the connection and its other configurations stay.
pub async fn partner_functions_are_switched_and_deleted(f: Fixture) {
    let conn = create(&*f.a, "switch-p").await;
    let gone =
        f.a.create_partner_function(conn.id, partner_function("gone"))
            .await
            .unwrap();
    let kept =
        f.a.create_partner_function(conn.id, partner_function("kept"))
            .await
            .unwrap();
    let rule =
        f.a.create_automation(conn.id, automation("rule"))
            .await
            .unwrap();
    f.a.disable_partner_function(conn.id, kept.id)
        .await
        .expect("disable");
    f.a.disable_partner_function(conn.id, kept.id)
        .await
        .expect("disable twice");
    let read = f.a.get_partner_function(conn.id, kept.id).await.unwrap();
    assert!(!read.enabled);
    assert_eq!(
        (read.created.as_str(), &read.details),
        (kept.created.as_str(), &kept.details)
    );
    f.a.enable_partner_function(conn.id, kept.id)
        .await
        .expect("enable");
    assert!(
        f.a.get_partner_function(conn.id, kept.id)
            .await
            .unwrap()
            .enabled
    );

    f.a.delete_partner_function(conn.id, gone.id)
        .await
        .expect("delete");
    assert_not_found(
        f.a.get_partner_function(conn.id, gone.id).await,
        Resource::PartnerFunction,
        "read after delete",
    );
    assert_not_found(
        f.a.delete_partner_function(conn.id, gone.id).await,
        Resource::PartnerFunction,
        "a repeated delete",
    );
    let left =
        f.a.list_partner_functions(conn.id, &ListQuery::default())
            .await
            .unwrap();
    assert_eq!(
        left.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![kept.id]
    );
    f.a.get(conn.id).await.expect("the connection stays");
    f.a.get_automation(conn.id, rule.id)
        .await
        .expect("its automation stays");
    assert_not_found(
        f.a.enable_partner_function(conn.id, PartnerFunctionId::random())
            .await,
        Resource::PartnerFunction,
        "enable an unknown partner function",
    );
    assert_not_found(
        f.b.delete_partner_function(conn.id, kept.id).await,
        Resource::Connection,
        "another tenant's partner function",
    );
    assert!(
        f.a.get_partner_function(conn.id, kept.id).await.is_ok(),
        "a refused delete changes nothing"
    );
}

/// A connection's configuration starts empty, merges patches as RFC 7396 says, and refuses a
/// result over the size bound without changing anything.
pub async fn configuration_merges_and_is_bounded(f: Fixture) {
    let conn = create(&*f.a, "configured").await;
    let empty = f.a.get_configuration(conn.id).await.expect("read");
    assert!(empty.is_empty(), "every section is empty until set");

    let set =
        f.a.update_configuration(conn.id, sdk_patch())
            .await
            .expect("update");
    assert_eq!(set, sdk_patch().apply(&Configuration::default()).unwrap());
    assert_eq!(
        f.a.get_configuration(conn.id).await.unwrap(),
        set,
        "the update is stored"
    );

    let change = ConfigurationPatch::new([
        (
            Section::Account,
            object(&[("import", PatchValue::Remove), ("default_tax", text("GST"))]),
        ),
        (Section::Transaction, PatchValue::Remove),
    ])
    .unwrap();
    let changed =
        f.a.update_configuration(conn.id, change.clone())
            .await
            .unwrap();
    assert_eq!(changed, change.apply(&set).unwrap());
    assert!(changed.section(Section::Transaction).is_empty());
    assert!(
        changed.section(Section::Account).contains_key("export"),
        "what the patch leaves out stays"
    );

    let too_big = ConfigurationPatch::new([(
        Section::Purchase,
        object(&[("blob", text(&"x".repeat(MAX_DOCUMENT_BYTES)))]),
    )])
    .unwrap();
    match f.a.update_configuration(conn.id, too_big).await {
        Err(Error::InvalidInput { .. }) => {}
        other => panic!("a document over the bound: expected InvalidInput, got {other:?}"),
    }
    assert_eq!(
        f.a.get_configuration(conn.id).await.unwrap(),
        changed,
        "a refused patch changes nothing"
    );

    let other = create(&*f.a, "unconfigured").await;
    assert!(
        f.a.get_configuration(other.id).await.unwrap().is_empty(),
        "documents are per connection"
    );
    assert_not_found(
        f.a.get_configuration(ConnectionId::random()).await,
        Resource::Connection,
        "an unknown connection",
    );
    assert_not_found(
        f.b.update_configuration(conn.id, sdk_patch()).await,
        Resource::Connection,
        "another tenant's connection",
    );
}

/// Concurrent patches of one document all apply, one after the other: none is lost, the first
/// ones included (when the backend has no stored document yet to lock). Eight documents at once,
/// sixteen patches each, so the first patches of some meet.
pub async fn concurrent_configuration_patches_all_apply(f: Fixture) {
    let mut connections = Vec::new();
    for i in 0..8 {
        connections.push(create(&*f.a, &format!("contended-{i}")).await.id);
    }
    let tasks: Vec<_> = (0..16)
        .flat_map(|i| connections.iter().map(move |id| (i, *id)))
        .map(|(i, id)| {
            let repo = f.a.clone();
            tokio::spawn(async move {
                let change = object(&[(&format!("k{i}"), text("v"))]);
                let patch = ConfigurationPatch::new([(Section::Item, change)]).expect("a patch");
                repo.update_configuration(id, patch).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("a concurrent patch");
    }
    for id in connections {
        let document = f.a.get_configuration(id).await.unwrap();
        assert_eq!(
            document.section(Section::Item).len(),
            16,
            "every patch applied to what the one before wrote"
        );
    }
}
