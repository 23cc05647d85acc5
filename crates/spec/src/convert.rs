//! Between the wire types and the domain types of `exsited-core`, in both directions.
//!
//! The transport turns domain values into request bodies and response bodies back into domain
//! values; the server does the opposite. Both go through these functions, so the two sides
//! cannot disagree about the JSON shape.
//!
//! Reading a body validates it as strictly as the domain constructors do: a wire value that
//! does not make a valid domain value is an [`Error::InvalidInput`] naming the field by its full
//! path in the body (`integration.automation_details.name`,
//! `integration.additional_criteria_details[0].rules[1].value`), the same path
//! [`crate::validate`] names (the server sends it back as a 400; the transport reports an API
//! that broke the contract).

use exsited_core as core;
use exsited_core::{
    AutomationId, ConnectionId, ConnectionStatus, Error, ListQuery, Name, Page, Partner,
    PartnerCredentials, PartnerFunctionId, SecretString,
};

use crate::{
    AutomationCreateInput, AutomationCreateRequest, AutomationDetails, AutomationInput,
    AutomationRequest, CreateConnectionRequest, PartnerFunctionCreateRequest, PartnerFunctionInput,
    PartnerFunctionRequest, Secret,
};

/// Where the fields of an automation body sit.
const AUTOMATION_DETAILS: &str = "integration.automation_details.";
const CRITERIA: &str = "integration.additional_criteria_details";
/// Where the fields of a partner-function body sit.
const PARTNER_FUNCTION: &str = "partner_function.";

/// Puts `prefix` before the field an [`Error::InvalidInput`] names: the domain names a field
/// by its own name, the body by its path.
fn under(prefix: &str) -> impl Fn(Error) -> Error + '_ {
    move |err| match err {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field: format!("{prefix}{field}"),
            reason,
        },
        other => other,
    }
}

/// The domain's name of a field that a body names by its path: the last name of the path
/// (`integration.automation_details.description` is `description`,
/// `integration.additional_criteria_details[0].rules[1].value` is `value`). Every repository
/// names a field in error this way, whatever its backend; the server's 400s give the path.
///
/// ```
/// use exsited_spec::convert::domain_field;
///
/// assert_eq!(domain_field("partner_function.tag"), "tag");
/// let path = "integration.additional_criteria_details[0].group_condition";
/// assert_eq!(domain_field(path), "group_condition");
/// assert_eq!(domain_field("limit"), "limit");
/// ```
pub fn domain_field(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

fn secret_to_wire(secret: &SecretString) -> Option<Secret> {
    Some(Secret::new(secret.expose().to_owned()))
}

fn secret_from_wire(secret: Option<Secret>) -> SecretString {
    secret
        .map(|s| SecretString::new(s.expose()))
        .unwrap_or_default()
}

fn id<T>(
    field: &str,
    value: &str,
    parse: fn(&str) -> Result<T, core::InvalidId>,
) -> Result<T, Error> {
    parse(value).map_err(|e| Error::invalid_input(field, e.to_string()))
}

/// A connection as the API returns it, secrets included (the API returns them).
pub fn connection_to_wire(connection: &core::Connection) -> crate::Connection {
    let c = &connection.credentials;
    crate::Connection {
        uuid: connection.id.to_string(),
        status: connection.status.as_str().to_owned(),
        integration_partner: connection.partner.to_string(),
        remote_instance_id: connection.remote_instance.id.clone(),
        remote_instance_name: connection.remote_instance.name.clone(),
        client_id: c.client_id.clone(),
        client_secret: secret_to_wire(&c.client_secret),
        access_token: secret_to_wire(&c.access_token),
        refresh_token: secret_to_wire(&c.refresh_token),
    }
}

/// A connection record read from the API.
pub fn connection_from_wire(wire: crate::Connection) -> Result<core::Connection, Error> {
    Ok(core::Connection {
        id: id("uuid", &wire.uuid, ConnectionId::parse)?,
        status: ConnectionStatus::parse(&wire.status),
        partner: Partner::new(&wire.integration_partner)
            .map_err(|_| Error::invalid_input("integration_partner", "not a partner name"))?,
        remote_instance: core::RemoteInstance {
            id: wire.remote_instance_id,
            name: wire.remote_instance_name,
        },
        credentials: PartnerCredentials {
            client_id: wire.client_id,
            client_secret: secret_from_wire(wire.client_secret),
            access_token: secret_from_wire(wire.access_token),
            refresh_token: secret_from_wire(wire.refresh_token),
        },
    })
}

/// The flat create body for a new connection.
pub fn new_connection_to_wire(new: &core::NewConnection) -> CreateConnectionRequest {
    let c = new.credentials();
    let optional = |s: &SecretString| (!s.is_empty()).then(|| Secret::new(s.expose().to_owned()));
    CreateConnectionRequest {
        provider: new.partner().to_string(),
        remote_instance_id: new.remote_instance().id.clone(),
        remote_instance_name: new.remote_instance().name.clone(),
        integration_client_id: c.client_id.clone(),
        integration_client_secret: optional(&c.client_secret),
        integration_access_token: optional(&c.access_token),
        integration_refresh_token: optional(&c.refresh_token),
        ..CreateConnectionRequest::default()
    }
}

/// A new connection from a create body. `provider` and `remote_instance_id` are required
/// (project choice); `supporting_fields`, when present, must be a JSON document. The other
/// optional fields are accepted and not stored: the record does not return them.
pub fn new_connection_from_wire(
    body: CreateConnectionRequest,
) -> Result<core::NewConnection, Error> {
    if !body.supporting_fields.is_empty()
        && serde_json::from_str::<serde_json::Value>(&body.supporting_fields).is_err()
    {
        return Err(Error::invalid_input(
            "supporting_fields",
            "must be a JSON document encoded as a string",
        ));
    }
    let credentials = PartnerCredentials {
        client_id: body.integration_client_id,
        client_secret: secret_from_wire(body.integration_client_secret),
        access_token: secret_from_wire(body.integration_access_token),
        refresh_token: secret_from_wire(body.integration_refresh_token),
    };
    core::NewConnection::new(Partner::new(&body.provider)?, &body.remote_instance_id)?
        .with_remote_instance_name(&body.remote_instance_name)?
        .with_credentials(credentials)
}

fn criteria_to_wire(groups: &[core::CriteriaGroup]) -> Vec<crate::CriteriaGroup> {
    groups
        .iter()
        .map(|g| crate::CriteriaGroup {
            group_condition: g.group_condition.clone(),
            rules: g
                .rules
                .iter()
                .map(|r| crate::CriteriaRule {
                    field_name: r.field_name.clone(),
                    operator: r.operator.clone(),
                    value: r.value.clone(),
                    condition: r.condition.clone(),
                })
                .collect(),
        })
        .collect()
}

fn criteria_from_wire(groups: Vec<crate::CriteriaGroup>) -> Vec<core::CriteriaGroup> {
    groups
        .into_iter()
        .map(|g| core::CriteriaGroup {
            group_condition: g.group_condition,
            rules: g
                .rules
                .into_iter()
                .map(|r| core::CriteriaRule {
                    field_name: r.field_name,
                    operator: r.operator,
                    value: r.value,
                    condition: r.condition,
                })
                .collect(),
        })
        .collect()
}

/// An automation as the API returns it.
pub fn automation_to_wire(automation: &core::Automation) -> crate::Automation {
    let d = &automation.details;
    crate::Automation {
        uuid: automation.id.to_string(),
        name: d.name.to_string(),
        display_name: d.display_name.clone(),
        code: d.code.clone(),
        description: d.description.clone(),
        direction: d.direction.clone(),
        status: automation.status.clone(),
        provider: automation.provider.to_string(),
        automation_type: d.automation_type.clone(),
        applies_to: d.applies_to.clone(),
        check_on: d.check_on.clone(),
        applies_to_function: d.applies_to_function.clone(),
        custom_day: d.custom_day.clone(),
        custom_time: d.custom_time.clone(),
        perform_action: d.perform_action.clone(),
        additional_criteria_details: Some(criteria_to_wire(&d.criteria)),
    }
}

/// An automation record read from the API, under the connection it was asked for.
pub fn automation_from_wire(
    wire: crate::Automation,
    connection: ConnectionId,
) -> Result<core::Automation, Error> {
    Ok(core::Automation {
        id: id("uuid", &wire.uuid, AutomationId::parse)?,
        connection_id: connection,
        status: wire.status,
        provider: Partner::new(&wire.provider)
            .map_err(|_| Error::invalid_input("provider", "not a partner name"))?,
        details: core::AutomationDetails {
            name: Name::new("name", &wire.name)?,
            display_name: wire.display_name,
            code: wire.code,
            description: wire.description,
            direction: wire.direction,
            applies_to: wire.applies_to,
            applies_to_function: wire.applies_to_function,
            automation_type: wire.automation_type,
            check_on: wire.check_on,
            custom_day: wire.custom_day,
            custom_time: wire.custom_time,
            perform_action: wire.perform_action,
            criteria: criteria_from_wire(wire.additional_criteria_details.unwrap_or_default()),
        },
    })
}

/// The create body for an automation: every field present.
pub fn automation_create_to_wire(details: &core::AutomationDetails) -> AutomationCreateRequest {
    let update = automation_patch_to_wire(&core::AutomationPatch {
        name: Some(details.name.clone()),
        display_name: Some(details.display_name.clone()),
        code: Some(details.code.clone()),
        description: Some(details.description.clone()),
        direction: Some(details.direction.clone()),
        applies_to: Some(details.applies_to.clone()),
        applies_to_function: Some(details.applies_to_function.clone()),
        automation_type: Some(details.automation_type.clone()),
        check_on: Some(details.check_on.clone()),
        custom_day: Some(details.custom_day.clone()),
        custom_time: Some(details.custom_time.clone()),
        perform_action: Some(details.perform_action.clone()),
        criteria: Some(details.criteria.clone()),
    });
    AutomationCreateRequest {
        integration: AutomationCreateInput {
            automation_details: update.integration.automation_details.unwrap_or_default(),
            additional_criteria_details: update.integration.additional_criteria_details,
        },
    }
}

/// The update body for an automation: only the fields the patch sets.
pub fn automation_patch_to_wire(patch: &core::AutomationPatch) -> AutomationRequest {
    AutomationRequest {
        integration: AutomationInput {
            automation_details: Some(AutomationDetails {
                name: patch.name.as_ref().map(ToString::to_string),
                display_name: patch.display_name.clone(),
                code: patch.code.clone(),
                description: patch.description.clone(),
                direction: patch.direction.clone(),
                applies_to: patch.applies_to.clone(),
                applies_to_function: patch.applies_to_function.clone(),
                automation_type: patch.automation_type.clone(),
                check_on: patch.check_on.clone(),
                custom_day: patch.custom_day.clone(),
                custom_time: patch.custom_time.clone(),
                perform_action: patch.perform_action.clone(),
            }),
            additional_criteria_details: patch.criteria.as_deref().map(criteria_to_wire),
        },
    }
}

/// An automation patch from an update body: absent and `null` fields stay as they are. Every
/// field the patch sets is checked here, so that an error names its path in the body.
pub fn automation_patch_from_wire(body: AutomationRequest) -> Result<core::AutomationPatch, Error> {
    automation_patch(body.integration)
}

fn automation_patch(input: AutomationInput) -> Result<core::AutomationPatch, Error> {
    let d = input.automation_details.unwrap_or_default();
    let patch = core::AutomationPatch {
        name: d
            .name
            .as_deref()
            .map(|n| Name::new("name", n))
            .transpose()
            .map_err(under(AUTOMATION_DETAILS))?,
        display_name: d.display_name,
        code: d.code,
        description: d.description,
        direction: d.direction,
        applies_to: d.applies_to,
        applies_to_function: d.applies_to_function,
        automation_type: d.automation_type,
        check_on: d.check_on,
        custom_day: d.custom_day,
        custom_time: d.custom_time,
        perform_action: d.perform_action,
        criteria: None,
    };
    // The domain checks a patch when it is applied; applied here to a placeholder, it is
    // checked by the same rules, with the paths of the body.
    let placeholder = core::AutomationDetails::new(Name::new("name", "placeholder")?);
    patch
        .apply(&placeholder)
        .map_err(under(AUTOMATION_DETAILS))?;
    let criteria = input
        .additional_criteria_details
        .map(|groups| checked_criteria(criteria_from_wire(groups), &placeholder))
        .transpose()?;
    Ok(core::AutomationPatch { criteria, ..patch })
}

/// Checks the criteria one group and one rule at a time, so that an error names its index.
fn checked_criteria(
    groups: Vec<core::CriteriaGroup>,
    placeholder: &core::AutomationDetails,
) -> Result<Vec<core::CriteriaGroup>, Error> {
    let check = |group: core::CriteriaGroup, prefix: String| {
        let patch = core::AutomationPatch {
            criteria: Some(vec![group]),
            ..Default::default()
        };
        patch.apply(placeholder).map(drop).map_err(under(&prefix))
    };
    for (i, group) in groups.iter().enumerate() {
        let condition_only = core::CriteriaGroup {
            group_condition: group.group_condition.clone(),
            rules: Vec::new(),
        };
        check(condition_only, format!("{CRITERIA}[{i}]."))?;
        for (j, rule) in group.rules.iter().enumerate() {
            let one_rule = core::CriteriaGroup {
                group_condition: String::new(),
                rules: vec![rule.clone()],
            };
            check(one_rule, format!("{CRITERIA}[{i}].rules[{j}]."))?;
        }
    }
    Ok(groups)
}

/// Automation details from a create body: `integration.automation_details.name` is required.
pub fn automation_create_from_wire(
    body: AutomationCreateRequest,
) -> Result<core::AutomationDetails, Error> {
    let input = body.integration;
    let patch = automation_patch(AutomationInput {
        automation_details: Some(input.automation_details),
        additional_criteria_details: input.additional_criteria_details,
    })?;
    let name = patch
        .name
        .clone()
        .ok_or_else(|| Error::invalid_input(format!("{AUTOMATION_DETAILS}name"), "is required"))?;
    patch.apply(&core::AutomationDetails::new(name))
}

/// A partner function as the API returns it.
pub fn partner_function_to_wire(function: &core::PartnerFunction) -> crate::PartnerFunction {
    let d = &function.details;
    crate::PartnerFunction {
        uuid: function.id.to_string(),
        name: d.name.to_string(),
        direction: d.direction.clone(),
        description: d.description.clone(),
        object_name: d.object_name.clone(),
        object_mapping: d.object_mapping.clone(),
        event_name: d.event_name.clone(),
        tag: d.tag.clone(),
        enabled: Some(function.enabled),
        provider_name: function.provider_name.to_string(),
        created: function.created.clone(),
        updated: function.updated.clone(),
    }
}

/// A partner-function record read from the API, under the connection it was asked for.
pub fn partner_function_from_wire(
    wire: crate::PartnerFunction,
    connection: ConnectionId,
) -> Result<core::PartnerFunction, Error> {
    Ok(core::PartnerFunction {
        id: id("uuid", &wire.uuid, PartnerFunctionId::parse)?,
        connection_id: connection,
        enabled: wire.enabled.unwrap_or(true),
        provider_name: Partner::new(&wire.provider_name)
            .map_err(|_| Error::invalid_input("provider_name", "not a partner name"))?,
        created: wire.created,
        updated: wire.updated,
        details: core::PartnerFunctionDetails {
            name: Name::new("name", &wire.name)?,
            direction: wire.direction,
            description: wire.description,
            object_name: wire.object_name,
            object_mapping: wire.object_mapping,
            event_name: wire.event_name,
            tag: wire.tag,
        },
    })
}

/// The create body for a partner function: every field present.
pub fn partner_function_create_to_wire(
    details: &core::PartnerFunctionDetails,
) -> PartnerFunctionCreateRequest {
    let update = partner_function_patch_to_wire(&core::PartnerFunctionPatch {
        name: Some(details.name.clone()),
        direction: Some(details.direction.clone()),
        description: Some(details.description.clone()),
        object_name: Some(details.object_name.clone()),
        object_mapping: Some(details.object_mapping.clone()),
        event_name: Some(details.event_name.clone()),
        tag: Some(details.tag.clone()),
    });
    PartnerFunctionCreateRequest {
        partner_function: update.partner_function,
    }
}

/// The update body for a partner function: only the fields the patch sets.
pub fn partner_function_patch_to_wire(
    patch: &core::PartnerFunctionPatch,
) -> PartnerFunctionRequest {
    PartnerFunctionRequest {
        partner_function: PartnerFunctionInput {
            name: patch.name.as_ref().map(ToString::to_string),
            direction: patch.direction.clone(),
            description: patch.description.clone(),
            object_name: patch.object_name.clone(),
            object_mapping: patch.object_mapping.clone(),
            event_name: patch.event_name.clone(),
            tag: patch.tag.clone(),
        },
    }
}

/// A partner-function patch from an update body: absent and `null` fields stay as they are.
/// Every field the patch sets is checked here, so that an error names its path in the body.
pub fn partner_function_patch_from_wire(
    body: PartnerFunctionRequest,
) -> Result<core::PartnerFunctionPatch, Error> {
    partner_function_patch(body.partner_function)
}

fn partner_function_patch(p: PartnerFunctionInput) -> Result<core::PartnerFunctionPatch, Error> {
    let patch = core::PartnerFunctionPatch {
        name: p
            .name
            .as_deref()
            .map(|n| Name::new("name", n))
            .transpose()
            .map_err(under(PARTNER_FUNCTION))?,
        direction: p.direction,
        description: p.description,
        object_name: p.object_name,
        object_mapping: p.object_mapping,
        event_name: p.event_name,
        tag: p.tag,
    };
    let placeholder = core::PartnerFunctionDetails::new(Name::new("name", "placeholder")?);
    patch.apply(&placeholder).map_err(under(PARTNER_FUNCTION))?;
    Ok(patch)
}

/// Partner-function details from a create body: `partner_function.name` is required.
pub fn partner_function_create_from_wire(
    body: PartnerFunctionCreateRequest,
) -> Result<core::PartnerFunctionDetails, Error> {
    let patch = partner_function_patch(body.partner_function)?;
    let name = patch
        .name
        .clone()
        .ok_or_else(|| Error::invalid_input(format!("{PARTNER_FUNCTION}name"), "is required"))?;
    patch.apply(&core::PartnerFunctionDetails::new(name))
}

/// The `pagination` object for a page served at `path` (the list route, without query).
///
/// Project choice: `next_page` and `previous_page` are relative links with `limit` and
/// `offset`, or JSON `null` at either end.
pub fn pagination_to_wire<T>(page: &Page<T>, path: &str, query: &ListQuery) -> crate::Pagination {
    let link = |offset: u64| {
        Some(format!(
            "{path}?limit={}&offset={offset}&order_by={}&direction={}",
            page.limit,
            query.order_by(),
            query.direction()
        ))
    };
    crate::Pagination {
        records: page.total,
        limit: u64::from(page.limit),
        offset: page.offset,
        previous_page: (page.offset > 0)
            .then(|| page.offset.saturating_sub(u64::from(page.limit)))
            .and_then(link),
        next_page: page.next_offset().and_then(link),
    }
}

/// A page read from the API. The page's `total`, `limit` and `offset` come from `pagination`
/// when the API sent it, else from the query and the items themselves.
pub fn page_from_wire<W, T>(
    items: Vec<W>,
    pagination: Option<crate::Pagination>,
    query: &ListQuery,
    mut convert: impl FnMut(W) -> Result<T, Error>,
) -> Result<Page<T>, Error> {
    let items = items
        .into_iter()
        .map(&mut convert)
        .collect::<Result<Vec<T>, Error>>()?;
    let (total, offset) = match pagination {
        Some(p) => (p.records, p.offset),
        None => (query.offset() + items.len() as u64, query.offset()),
    };
    Ok(Page {
        items,
        total,
        limit: query.limit(),
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> core::Connection {
        core::NewConnection::new(Partner::new("xero").unwrap(), "tenant-1")
            .unwrap()
            .with_remote_instance_name("Acme")
            .unwrap()
            .with_credentials(PartnerCredentials {
                client_id: "cid".into(),
                client_secret: SecretString::new("cs"),
                access_token: SecretString::new("at"),
                refresh_token: SecretString::new("rt"),
            })
            .unwrap()
            .into_connection(ConnectionId::random())
    }

    #[test]
    fn connection_round_trips_through_json() {
        let conn = sample();
        let json = serde_json::to_string(&connection_to_wire(&conn)).unwrap();
        let back = connection_from_wire(serde_json::from_str(&json).unwrap()).unwrap();
        assert_eq!(back, conn);
    }

    #[test]
    fn create_body_round_trips_and_requires_provider_and_remote_instance() {
        let conn = sample();
        let new = core::NewConnection::new(conn.partner.clone(), &conn.remote_instance.id)
            .unwrap()
            .with_credentials(conn.credentials.clone())
            .unwrap();
        let body = serde_json::to_string(&new_connection_to_wire(&new)).unwrap();
        assert_eq!(
            new_connection_from_wire(serde_json::from_str(&body).unwrap()).unwrap(),
            new
        );

        let field = |body: &str| match new_connection_from_wire(serde_json::from_str(body).unwrap())
        {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(r#"{"provider": "", "remote_instance_id": "x"}"#),
            "provider"
        );
        assert_eq!(
            field(r#"{"provider": "XERO", "remote_instance_id": " "}"#),
            "remote_instance_id"
        );
        assert!(
            serde_json::from_str::<CreateConnectionRequest>(r#"{"provider": "XERO"}"#).is_err()
        );
        assert_eq!(
            field(
                r#"{"provider": "XERO", "remote_instance_id": "x", "supporting_fields": "{nope"}"#
            ),
            "supporting_fields"
        );
    }

    #[test]
    fn automation_create_and_patch_round_trip() {
        let mut details = core::AutomationDetails::new(Name::new("name", "Sync").unwrap());
        details.check_on = "DAILY".into();
        details.criteria = vec![core::CriteriaGroup {
            group_condition: "AND".into(),
            rules: vec![],
        }];
        let body = serde_json::to_string(&automation_create_to_wire(&details)).unwrap();
        assert_eq!(
            automation_create_from_wire(serde_json::from_str(&body).unwrap()).unwrap(),
            details
        );

        let patch = core::AutomationPatch {
            description: Some("x".into()),
            ..Default::default()
        };
        let body = serde_json::to_string(&automation_patch_to_wire(&patch)).unwrap();
        assert!(
            !body.contains("\"name\""),
            "a patch sends only what it changes: {body}"
        );
        assert_eq!(
            automation_patch_from_wire(serde_json::from_str(&body).unwrap()).unwrap(),
            patch
        );

        let missing_name = r#"{"integration": {"automation_details": {"code": "c"}}}"#;
        assert!(matches!(
            automation_create_from_wire(serde_json::from_str(missing_name).unwrap()),
            Err(Error::InvalidInput { .. })
        ));
    }

    /// The field a body's domain error names.
    fn field_in_error<T: serde::de::DeserializeOwned, R: std::fmt::Debug>(
        body: serde_json::Value,
        read: fn(T) -> Result<R, Error>,
    ) -> String {
        match read(serde_json::from_value(body).unwrap()) {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn domain_errors_name_the_full_path_in_the_body() {
        use serde_json::json;
        let long = "x".repeat(core::MAX_TEXT_CHARS + 1);
        let criteria = json!({"integration": {"automation_details": {"name": "n"},
            "additional_criteria_details": [{"rules": []},
                {"group_condition": "AND", "rules": [{"value": "1"}, {"value": long}]}]}});
        assert_eq!(
            field_in_error(criteria.clone(), automation_create_from_wire),
            "integration.additional_criteria_details[1].rules[1].value"
        );
        let mut update = criteria;
        update["integration"]["automation_details"] = json!({});
        assert_eq!(
            field_in_error(update, automation_patch_from_wire),
            "integration.additional_criteria_details[1].rules[1].value"
        );
        let group = json!({"integration": {"automation_details": {"name": "n"},
            "additional_criteria_details": [{"group_condition": long}]}});
        assert_eq!(
            field_in_error(group, automation_create_from_wire),
            "integration.additional_criteria_details[0].group_condition"
        );
        for (body, field) in [
            (json!({"name": " "}), "name"),
            (
                json!({"name": "n", "display_name": "\u{1}"}),
                "display_name",
            ),
        ] {
            let body = json!({"integration": {"automation_details": body}});
            assert_eq!(
                field_in_error(body.clone(), automation_patch_from_wire),
                format!("integration.automation_details.{field}")
            );
        }
        assert_eq!(
            field_in_error(
                json!({"integration": {"automation_details": {}}}),
                automation_create_from_wire
            ),
            "integration.automation_details.name"
        );
        assert_eq!(
            field_in_error(
                json!({"partner_function": {}}),
                partner_function_create_from_wire
            ),
            "partner_function.name"
        );
        assert_eq!(
            field_in_error(
                json!({"partner_function": {"name": "\t"}}),
                partner_function_patch_from_wire
            ),
            "partner_function.name"
        );
        assert_eq!(
            field_in_error(
                json!({"partner_function": {"tag": long}}),
                partner_function_patch_from_wire
            ),
            "partner_function.tag"
        );
    }

    #[test]
    fn records_with_bad_ids_are_refused() {
        let wire = crate::Connection {
            uuid: "nope".into(),
            integration_partner: "XERO".into(),
            ..Default::default()
        };
        assert!(
            matches!(connection_from_wire(wire), Err(Error::InvalidInput { ref field, .. }) if field == "uuid")
        );
    }

    #[test]
    fn pagination_links_and_ends() {
        let query = ListQuery::new(2, 2).unwrap();
        let page = Page {
            items: vec![1, 2],
            total: 5,
            limit: 2,
            offset: 2,
        };
        let wire = pagination_to_wire(&page, "/api/v2/integration-connections", &query);
        assert_eq!(wire.records, 5);
        assert!(wire.next_page.as_deref().unwrap().contains("offset=4"));
        assert!(wire.previous_page.as_deref().unwrap().contains("offset=0"));
        let last = Page {
            items: vec![5],
            total: 5,
            limit: 2,
            offset: 4,
        };
        assert_eq!(pagination_to_wire(&last, "/x", &query).next_page, None);
    }
}
