//! Checks of reads, creates, updates, listing, validation and tenancy.

use std::collections::HashSet;

use super::fixture::Fixture;
use super::support::{
    assert_any_not_found, assert_not_found, automation, create, new_connection, partner_function,
    text,
};
use crate::{
    AutomationId, AutomationPatch, ConnectionId, ConnectionStatus, Direction, Error, ListQuery,
    Name, NewConnection, ObjectMapping, OrderBy, Partner, PartnerCredentials, PartnerFunctionId,
    PartnerFunctionPatch, Resource, SecretString, Text,
};

/// A created connection is `ACTIVE`, has a fresh id, and reads back field for field, secrets
/// included.
pub async fn create_then_get_returns_the_record(f: Fixture) {
    let new = new_connection("one");
    let created = f.a.create(new.clone()).await.expect("create");
    assert_eq!(created.status, ConnectionStatus::Active);
    assert_eq!(&created.partner, new.partner());
    assert_eq!(&created.remote_instance, new.remote_instance());
    assert_eq!(
        &created.credentials,
        new.credentials(),
        "credentials must be stored as given"
    );
    let read = f.a.get(created.id).await.expect("get");
    assert_eq!(read, created);
    let other =
        f.a.create(new_connection("two"))
            .await
            .expect("second create");
    assert_ne!(other.id, created.id, "every connection gets its own id");
}

/// Every operation on an id that never existed is `NotFound` for a connection.
pub async fn unknown_ids_are_not_found(f: Fixture) {
    let id = ConnectionId::random();
    let q = ListQuery::default();
    assert_not_found(f.a.get(id).await, Resource::Connection, "get");
    assert_not_found(f.a.enable(id).await, Resource::Connection, "enable");
    assert_not_found(f.a.disable(id).await, Resource::Connection, "disable");
    assert_not_found(f.a.delete(id).await, Resource::Connection, "delete");
    assert_not_found(
        f.a.list_automations(id, &q).await,
        Resource::Connection,
        "list automations",
    );
    assert_not_found(
        f.a.create_automation(id, automation("x")).await,
        Resource::Connection,
        "create automation",
    );
    assert_not_found(
        f.a.list_partner_functions(id, &q).await,
        Resource::Connection,
        "list partner functions",
    );
    assert_not_found(
        f.a.create_partner_function(id, partner_function("x")).await,
        Resource::Connection,
        "create partner function",
    );
    let conn = create(&*f.a, "known").await;
    assert_not_found(
        f.a.get_automation(conn.id, AutomationId::random()).await,
        Resource::Automation,
        "get automation",
    );
    assert_not_found(
        f.a.update_automation(conn.id, AutomationId::random(), AutomationPatch::default())
            .await,
        Resource::Automation,
        "update automation",
    );
    assert_not_found(
        f.a.get_partner_function(conn.id, PartnerFunctionId::random())
            .await,
        Resource::PartnerFunction,
        "get partner function",
    );
    assert_not_found(
        f.a.update_partner_function(
            conn.id,
            PartnerFunctionId::random(),
            PartnerFunctionPatch::default(),
        )
        .await,
        Resource::PartnerFunction,
        "update partner function",
    );
}

/// Enable sets `ACTIVE`, disable sets `INACTIVE`, and repeating either is not an error.
pub async fn enable_and_disable_set_the_status(f: Fixture) {
    let conn = create(&*f.a, "status").await;
    f.a.disable(conn.id).await.expect("disable");
    assert_eq!(
        f.a.get(conn.id).await.unwrap().status,
        ConnectionStatus::Inactive
    );
    f.a.disable(conn.id).await.expect("disable twice");
    f.a.enable(conn.id).await.expect("enable");
    assert_eq!(
        f.a.get(conn.id).await.unwrap().status,
        ConnectionStatus::Active
    );
    f.a.enable(conn.id).await.expect("enable twice");
    assert_eq!(
        f.a.get(conn.id).await.unwrap().status,
        ConnectionStatus::Active
    );
}

/// Lists come in creation order (or by id, either direction), with the tenant's total, the
/// asked limit and offset, and an empty page past the end.
pub async fn list_pages_in_order_with_totals(f: Fixture) {
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(create(&*f.a, &format!("list-{i}")).await.id);
    }
    create(&*f.b, "other-tenant").await;

    let mut seen = Vec::new();
    for offset in [0, 3, 6] {
        let page =
            f.a.list(&ListQuery::new(3, offset).unwrap())
                .await
                .expect("list");
        assert_eq!(page.total, 7, "total counts the tenant's connections only");
        assert_eq!((page.limit, page.offset), (3, offset as u64));
        seen.extend(page.items.iter().map(|c| c.id));
    }
    assert_eq!(
        seen, created,
        "default order is creation order, pages do not overlap"
    );

    let past =
        f.a.list(&ListQuery::new(3, 10).unwrap())
            .await
            .expect("list past the end");
    assert!(past.items.is_empty());
    assert_eq!(past.total, 7);

    let desc =
        f.a.list(
            &ListQuery::new(100, 0)
                .unwrap()
                .ordered(OrderBy::CreatedOn, Direction::Desc),
        )
        .await
        .unwrap();
    let mut reversed = created.clone();
    reversed.reverse();
    assert_eq!(
        desc.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        reversed
    );

    let by_id =
        f.a.list(
            &ListQuery::new(100, 0)
                .unwrap()
                .ordered(OrderBy::Uuid, Direction::Asc),
        )
        .await
        .unwrap();
    let mut sorted: Vec<String> = created.iter().map(ToString::to_string).collect();
    sorted.sort();
    assert_eq!(
        by_id
            .items
            .iter()
            .map(|c| c.id.to_string())
            .collect::<Vec<_>>(),
        sorted
    );
}

/// Connections created concurrently are all kept, each under its own id.
pub async fn concurrent_creates_are_all_kept(f: Fixture) {
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let repo = f.a.clone();
            tokio::spawn(async move { repo.create(new_connection(&format!("c{i}"))).await })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap().expect("concurrent create").id);
    }
    assert_eq!(ids.len(), 32);
    let page = f.a.list(&ListQuery::new(100, 0).unwrap()).await.unwrap();
    assert_eq!(page.total, 32);
    assert_eq!(page.items.iter().map(|c| c.id).collect::<HashSet<_>>(), ids);
}

/// Invalid input is refused when the value is built, naming the field: ids, limits, names,
/// partners, required fields and oversized or control-character text.
pub async fn input_is_validated(_f: Fixture) {
    assert!(ConnectionId::parse("12345").is_err());
    assert!(ConnectionId::parse("not-a-uuid-at-all-not-a-uuid-at-all!").is_err());
    let field_of = |e: Error| match e {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    };
    assert_eq!(field_of(ListQuery::new(0, 0).unwrap_err()), "limit");
    assert_eq!(field_of(ListQuery::new(101, 0).unwrap_err()), "limit");
    assert_eq!(field_of(ListQuery::new(10, -1).unwrap_err()), "offset");
    assert_eq!(
        field_of(OrderBy::parse("client_secret").unwrap_err()),
        "order_by"
    );
    assert_eq!(
        field_of(Direction::parse("sideways").unwrap_err()),
        "direction"
    );
    assert_eq!(field_of(Partner::new("").unwrap_err()), "provider");
    assert_eq!(field_of(Name::new("name", " ").unwrap_err()), "name");
    let partner = Partner::new("hubspot").unwrap();
    assert_eq!(
        field_of(NewConnection::new(partner.clone(), "").unwrap_err()),
        "remote_instance_id"
    );
    assert_eq!(
        field_of(NewConnection::new(partner.clone(), &"x".repeat(300)).unwrap_err()),
        "remote_instance_id"
    );
    assert_eq!(
        field_of(Text::new("description", "line\u{7}bell").unwrap_err()),
        "description"
    );
    assert_eq!(
        field_of(Text::new("tag", &"x".repeat(crate::MAX_TEXT_CHARS + 1)).unwrap_err()),
        "tag"
    );
    assert_eq!(
        field_of(
            ObjectMapping::new(
                "object_mapping",
                &"x".repeat(crate::MAX_OBJECT_MAPPING_CHARS + 1)
            )
            .unwrap_err()
        ),
        "object_mapping"
    );
    let bad_secret = PartnerCredentials {
        client_secret: SecretString::new("a\u{0}b"),
        ..Default::default()
    };
    let err = NewConnection::new(partner, "r")
        .unwrap()
        .with_credentials(bad_secret)
        .unwrap_err();
    assert!(
        !format!("{err} {err:?}").contains("a\u{0}b"),
        "errors never echo a secret"
    );
    assert_eq!(field_of(err), "integration_client_secret");
}

/// Details at the bounds of what the domain accepts are stored and read back unchanged by every
/// backend: the longest texts (in multi-byte characters), the longest mapping document with its
/// line breaks, and patches that clear a field to `""`. (Invalid details cannot reach a backend:
/// their types refuse them when they are built, see [`input_is_validated`]; so every backend
/// rejects them the same way, before anything is sent or stored.)
pub async fn details_at_the_bounds_round_trip(f: Fixture) {
    let conn = create(&*f.a, "bounds").await;
    let longest = |field: &str| text(field, &"é".repeat(crate::MAX_TEXT_CHARS));
    let mut details = automation("n".repeat(crate::MAX_TEXT_CHARS).as_str());
    let fields: Vec<&str> = details.text_fields().iter().map(|(f, _)| *f).collect();
    for field in fields {
        *details.text_field_mut(field).unwrap() = longest(field);
    }
    details.criteria = vec![crate::CriteriaGroup {
        group_condition: longest("group_condition"),
        rules: vec![crate::CriteriaRule {
            field_name: longest("field_name"),
            operator: text("operator", "≥"),
            value: longest("value"),
            condition: Text::default(),
        }],
    }];
    let made =
        f.a.create_automation(conn.id, details.clone())
            .await
            .expect("create the longest automation");
    assert_eq!(made.details, details);
    assert_eq!(f.a.get_automation(conn.id, made.id).await.unwrap(), made);
    let cleared = AutomationPatch {
        description: Some(Text::default()),
        criteria: Some(Vec::new()),
        ..Default::default()
    };
    let updated =
        f.a.update_automation(conn.id, made.id, cleared)
            .await
            .unwrap();
    assert!(updated.details.description.is_empty());
    assert!(updated.details.criteria.is_empty());
    assert_eq!(
        updated.details.code, details.code,
        "what the patch leaves out stays"
    );

    let mut function = partner_function("p");
    let document = format!(
        "{{\n\t\"a\": \"{}\"\n}}",
        "x".repeat(crate::MAX_OBJECT_MAPPING_CHARS - 12)
    );
    assert_eq!(document.chars().count(), crate::MAX_OBJECT_MAPPING_CHARS);
    function.object_mapping = ObjectMapping::new("object_mapping", &document).unwrap();
    function.tag = longest("tag");
    let made =
        f.a.create_partner_function(conn.id, function.clone())
            .await
            .expect("create the longest partner function");
    assert_eq!(made.details, function);
    assert_eq!(
        f.a.get_partner_function(conn.id, made.id).await.unwrap(),
        made
    );
}

/// Automations are created `ACTIVE` under their connection with its partner, read back, and
/// patched field by field.
pub async fn automations_round_trip(f: Fixture) {
    let conn = create(&*f.a, "auto").await;
    let mut details = automation("Sync invoices");
    details.criteria = vec![crate::CriteriaGroup {
        group_condition: text("group_condition", "AND"),
        rules: vec![crate::CriteriaRule {
            field_name: text("field_name", "amount"),
            operator: text("operator", ">"),
            value: text("value", "100"),
            condition: text("condition", "AND"),
        }],
    }];
    let made =
        f.a.create_automation(conn.id, details.clone())
            .await
            .expect("create automation");
    assert_eq!(made.connection_id, conn.id);
    assert_eq!(made.status, crate::AutomationStatus::Active);
    assert_eq!(made.partner, conn.partner);
    assert_eq!(made.details, details);
    assert_eq!(f.a.get_automation(conn.id, made.id).await.unwrap(), made);

    let patch = AutomationPatch {
        description: Some(text("description", "nightly")),
        ..Default::default()
    };
    let updated =
        f.a.update_automation(conn.id, made.id, patch)
            .await
            .expect("update");
    assert_eq!(updated.details.description, "nightly");
    assert_eq!(
        updated.details.name, details.name,
        "fields the patch leaves out stay"
    );
    assert_eq!(updated.details.criteria, details.criteria);
    assert_eq!(f.a.get_automation(conn.id, made.id).await.unwrap(), updated);
}

/// Partner functions are created enabled under their connection, read back, and patched.
pub async fn partner_functions_round_trip(f: Fixture) {
    let conn = create(&*f.a, "pf").await;
    let details = partner_function("Invoice to Xero");
    let made =
        f.a.create_partner_function(conn.id, details.clone())
            .await
            .expect("create partner function");
    assert_eq!(made.connection_id, conn.id);
    assert!(made.enabled);
    assert_eq!(made.partner, conn.partner);
    assert_eq!(made.details, details);
    assert!(!made.created.is_empty() && !made.updated.is_empty());
    assert_eq!(
        f.a.get_partner_function(conn.id, made.id).await.unwrap(),
        made
    );

    let patch = PartnerFunctionPatch {
        tag: Some(text("tag", "billing")),
        ..Default::default()
    };
    let updated =
        f.a.update_partner_function(conn.id, made.id, patch)
            .await
            .expect("update");
    assert_eq!(updated.details.tag, "billing");
    assert_eq!(updated.details.object_name, details.object_name);
    assert_eq!(updated.created, made.created);
    assert_eq!(
        f.a.get_partner_function(conn.id, made.id).await.unwrap(),
        updated
    );
}

/// An automation or partner function is reachable only through its own connection.
pub async fn sync_configurations_belong_to_their_connection(f: Fixture) {
    let x = create(&*f.a, "x").await;
    let y = create(&*f.a, "y").await;
    let a =
        f.a.create_automation(x.id, automation("on x"))
            .await
            .unwrap();
    let p =
        f.a.create_partner_function(x.id, partner_function("on x"))
            .await
            .unwrap();
    assert_not_found(
        f.a.get_automation(y.id, a.id).await,
        Resource::Automation,
        "automation via another connection",
    );
    assert_not_found(
        f.a.update_automation(y.id, a.id, AutomationPatch::default())
            .await,
        Resource::Automation,
        "update via another connection",
    );
    assert_not_found(
        f.a.get_partner_function(y.id, p.id).await,
        Resource::PartnerFunction,
        "partner function via another connection",
    );
    assert_eq!(
        f.a.list_automations(y.id, &ListQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        f.a.list_partner_functions(y.id, &ListQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
}

/// Automation and partner-function lists page like connection lists.
pub async fn sync_lists_paginate(f: Fixture) {
    let conn = create(&*f.a, "pages").await;
    let mut autos = Vec::new();
    let mut pfs = Vec::new();
    for i in 0..5 {
        autos.push(
            f.a.create_automation(conn.id, automation(&format!("a{i}")))
                .await
                .unwrap()
                .id,
        );
        pfs.push(
            f.a.create_partner_function(conn.id, partner_function(&format!("p{i}")))
                .await
                .unwrap()
                .id,
        );
    }
    let mut seen_autos = Vec::new();
    let mut seen_pfs = Vec::new();
    for offset in [0, 2, 4] {
        let q = ListQuery::new(2, offset).unwrap();
        let page = f.a.list_automations(conn.id, &q).await.unwrap();
        assert_eq!(page.total, 5);
        seen_autos.extend(page.items.iter().map(|a| a.id));
        let page = f.a.list_partner_functions(conn.id, &q).await.unwrap();
        assert_eq!(page.total, 5);
        seen_pfs.extend(page.items.iter().map(|p| p.id));
    }
    assert_eq!(seen_autos, autos);
    assert_eq!(seen_pfs, pfs);
}

/// Another tenant's connection is `NotFound` for every operation, its list never shows it, and
/// its failed attempts change nothing.
pub async fn tenants_are_isolated(f: Fixture) {
    let conn = create(&*f.a, "mine").await;
    let auto =
        f.a.create_automation(conn.id, automation("mine"))
            .await
            .unwrap();
    let q = ListQuery::default();
    assert_any_not_found(f.b.get(conn.id).await, "get across tenants");
    assert_any_not_found(f.b.enable(conn.id).await, "enable across tenants");
    assert_any_not_found(f.b.disable(conn.id).await, "disable across tenants");
    assert_any_not_found(f.b.delete(conn.id).await, "delete across tenants");
    assert_any_not_found(
        f.b.list_automations(conn.id, &q).await,
        "list automations across tenants",
    );
    assert_any_not_found(
        f.b.get_automation(conn.id, auto.id).await,
        "get automation across tenants",
    );
    assert_any_not_found(
        f.b.create_automation(conn.id, automation("theirs")).await,
        "create automation across tenants",
    );
    assert_any_not_found(
        f.b.create_partner_function(conn.id, partner_function("theirs"))
            .await,
        "create partner function across tenants",
    );
    assert_eq!(
        f.b.list(&q).await.unwrap().total,
        0,
        "another tenant's list is empty"
    );
    assert_eq!(
        f.a.get(conn.id).await.unwrap(),
        conn,
        "the owner's connection is untouched"
    );
    assert_eq!(
        f.a.get(conn.id).await.unwrap().status,
        ConnectionStatus::Active
    );
    assert_eq!(
        f.a.list_automations(conn.id, &q).await.unwrap().items,
        vec![auto]
    );
}
