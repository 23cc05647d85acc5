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

/// Where the fields of an automation sit: in a request body, or at the top of a record.
#[derive(Clone, Copy)]
struct AutomationPaths {
    details: &'static str,
    criteria: &'static str,
}

const AUTOMATION_BODY: AutomationPaths = AutomationPaths {
    details: "integration.automation_details.",
    criteria: "integration.additional_criteria_details",
};
const AUTOMATION_RECORD: AutomationPaths = AutomationPaths {
    details: "",
    criteria: "additional_criteria_details",
};
/// Where the fields of a partner function sit in a request body (a record has them at the top).
const PARTNER_FUNCTION_BODY: &str = "partner_function.";

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
            group_condition: g.group_condition.to_string(),
            rules: g
                .rules
                .iter()
                .map(|r| crate::CriteriaRule {
                    field_name: r.field_name.to_string(),
                    operator: r.operator.to_string(),
                    value: r.value.to_string(),
                    condition: r.condition.to_string(),
                })
                .collect(),
        })
        .collect()
}

/// A validated text of a body, its error naming the field's full path: `prefix` then `field`.
fn text(prefix: &str, field: &str, value: &str) -> Result<core::Text, Error> {
    core::Text::new(&format!("{prefix}{field}"), value)
}

fn optional_text(
    prefix: &str,
    field: &str,
    value: Option<String>,
) -> Result<Option<core::Text>, Error> {
    value.map(|v| text(prefix, field, &v)).transpose()
}

/// The criteria of a body, each error naming its group's and rule's index.
fn criteria_from_wire(
    groups: Vec<crate::CriteriaGroup>,
    path: &str,
) -> Result<Vec<core::CriteriaGroup>, Error> {
    groups
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            let at = format!("{path}[{i}].");
            Ok(core::CriteriaGroup {
                group_condition: text(&at, "group_condition", &g.group_condition)?,
                rules: g
                    .rules
                    .into_iter()
                    .enumerate()
                    .map(|(j, r)| {
                        let at = format!("{at}rules[{j}].");
                        Ok(core::CriteriaRule {
                            field_name: text(&at, "field_name", &r.field_name)?,
                            operator: text(&at, "operator", &r.operator)?,
                            value: text(&at, "value", &r.value)?,
                            condition: text(&at, "condition", &r.condition)?,
                        })
                    })
                    .collect::<Result<Vec<_>, Error>>()?,
            })
        })
        .collect()
}

/// An automation as the API returns it.
pub fn automation_to_wire(automation: &core::Automation) -> crate::Automation {
    let d = &automation.details;
    let s = |t: &core::Text| t.to_string();
    crate::Automation {
        uuid: automation.id.to_string(),
        name: d.name.to_string(),
        display_name: s(&d.display_name),
        code: s(&d.code),
        description: s(&d.description),
        direction: s(&d.direction),
        status: automation.status.as_str().to_owned(),
        provider: automation.partner.to_string(),
        automation_type: s(&d.automation_type),
        applies_to: s(&d.applies_to),
        check_on: s(&d.check_on),
        applies_to_function: s(&d.applies_to_function),
        custom_day: s(&d.custom_day),
        custom_time: s(&d.custom_time),
        perform_action: s(&d.perform_action),
        additional_criteria_details: Some(criteria_to_wire(&d.criteria)),
    }
}

/// An automation record read from the API, under the connection it was asked for.
pub fn automation_from_wire(
    wire: crate::Automation,
    connection: ConnectionId,
) -> Result<core::Automation, Error> {
    let patch = automation_patch(
        AutomationInput {
            automation_details: Some(AutomationDetails {
                name: Some(wire.name),
                display_name: Some(wire.display_name),
                code: Some(wire.code),
                description: Some(wire.description),
                direction: Some(wire.direction),
                applies_to: Some(wire.applies_to),
                applies_to_function: Some(wire.applies_to_function),
                automation_type: Some(wire.automation_type),
                check_on: Some(wire.check_on),
                custom_day: Some(wire.custom_day),
                custom_time: Some(wire.custom_time),
                perform_action: Some(wire.perform_action),
            }),
            additional_criteria_details: wire.additional_criteria_details,
        },
        AUTOMATION_RECORD,
    )?;
    let details = required_name(patch.name.as_ref(), AUTOMATION_RECORD.details)
        .map(|name| patch.apply(&core::AutomationDetails::new(name)))?;
    Ok(core::Automation {
        id: id("uuid", &wire.uuid, AutomationId::parse)?,
        connection_id: connection,
        status: core::AutomationStatus::parse(&wire.status),
        partner: Partner::new(&wire.provider)
            .map_err(|_| Error::invalid_input("provider", "not a partner name"))?,
        details,
    })
}

/// The create body for an automation: every field present.
pub fn automation_create_to_wire(details: &core::AutomationDetails) -> AutomationCreateRequest {
    let update = automation_patch_to_wire(&core::AutomationPatch::replacing_with(details));
    AutomationCreateRequest {
        integration: AutomationCreateInput {
            automation_details: update.integration.automation_details.unwrap_or_default(),
            additional_criteria_details: update.integration.additional_criteria_details,
        },
    }
}

/// The update body for an automation: only the fields the patch sets.
pub fn automation_patch_to_wire(patch: &core::AutomationPatch) -> AutomationRequest {
    let s = |t: &Option<core::Text>| t.as_ref().map(ToString::to_string);
    AutomationRequest {
        integration: AutomationInput {
            automation_details: Some(AutomationDetails {
                name: patch.name.as_ref().map(ToString::to_string),
                display_name: s(&patch.display_name),
                code: s(&patch.code),
                description: s(&patch.description),
                direction: s(&patch.direction),
                applies_to: s(&patch.applies_to),
                applies_to_function: s(&patch.applies_to_function),
                automation_type: s(&patch.automation_type),
                check_on: s(&patch.check_on),
                custom_day: s(&patch.custom_day),
                custom_time: s(&patch.custom_time),
                perform_action: s(&patch.perform_action),
            }),
            additional_criteria_details: patch.criteria.as_deref().map(criteria_to_wire),
        },
    }
}

/// An automation patch from an update body: absent and `null` fields stay as they are. Every
/// value is checked as it becomes a domain value, so that an error names its path in the body.
pub fn automation_patch_from_wire(body: AutomationRequest) -> Result<core::AutomationPatch, Error> {
    automation_patch(body.integration, AUTOMATION_BODY)
}

fn automation_patch(
    input: AutomationInput,
    paths: AutomationPaths,
) -> Result<core::AutomationPatch, Error> {
    let d = input.automation_details.unwrap_or_default();
    let t = |field, value| optional_text(paths.details, field, value);
    Ok(core::AutomationPatch {
        name: d
            .name
            .as_deref()
            .map(|n| Name::new(&format!("{}name", paths.details), n))
            .transpose()?,
        display_name: t("display_name", d.display_name)?,
        code: t("code", d.code)?,
        description: t("description", d.description)?,
        direction: t("direction", d.direction)?,
        applies_to: t("applies_to", d.applies_to)?,
        applies_to_function: t("applies_to_function", d.applies_to_function)?,
        automation_type: t("automation_type", d.automation_type)?,
        check_on: t("check_on", d.check_on)?,
        custom_day: t("custom_day", d.custom_day)?,
        custom_time: t("custom_time", d.custom_time)?,
        perform_action: t("perform_action", d.perform_action)?,
        criteria: input
            .additional_criteria_details
            .map(|groups| criteria_from_wire(groups, paths.criteria))
            .transpose()?,
    })
}

/// A create's name: `{prefix}name` is required.
fn required_name(name: Option<&Name>, prefix: &str) -> Result<Name, Error> {
    name.cloned()
        .ok_or_else(|| Error::invalid_input(format!("{prefix}name"), "is required"))
}

/// Automation details from a create body: `integration.automation_details.name` is required.
pub fn automation_create_from_wire(
    body: AutomationCreateRequest,
) -> Result<core::AutomationDetails, Error> {
    let input = body.integration;
    let patch = automation_patch(
        AutomationInput {
            automation_details: Some(input.automation_details),
            additional_criteria_details: input.additional_criteria_details,
        },
        AUTOMATION_BODY,
    )?;
    required_name(patch.name.as_ref(), AUTOMATION_BODY.details)
        .map(|name| patch.apply(&core::AutomationDetails::new(name)))
}

/// A partner function as the API returns it.
pub fn partner_function_to_wire(function: &core::PartnerFunction) -> crate::PartnerFunction {
    let d = &function.details;
    crate::PartnerFunction {
        uuid: function.id.to_string(),
        name: d.name.to_string(),
        direction: d.direction.to_string(),
        description: d.description.to_string(),
        object_name: d.object_name.to_string(),
        object_mapping: d.object_mapping.to_string(),
        event_name: d.event_name.to_string(),
        tag: d.tag.to_string(),
        enabled: Some(function.enabled),
        provider_name: function.partner.to_string(),
        created: function.created.clone(),
        updated: function.updated.clone(),
    }
}

/// A partner-function record read from the API, under the connection it was asked for.
pub fn partner_function_from_wire(
    wire: crate::PartnerFunction,
    connection: ConnectionId,
) -> Result<core::PartnerFunction, Error> {
    let patch = partner_function_patch(
        PartnerFunctionInput {
            name: Some(wire.name),
            direction: Some(wire.direction),
            description: Some(wire.description),
            object_name: Some(wire.object_name),
            object_mapping: Some(wire.object_mapping),
            event_name: Some(wire.event_name),
            tag: Some(wire.tag),
        },
        "",
    )?;
    let details = required_name(patch.name.as_ref(), "")
        .map(|name| patch.apply(&core::PartnerFunctionDetails::new(name)))?;
    Ok(core::PartnerFunction {
        id: id("uuid", &wire.uuid, PartnerFunctionId::parse)?,
        connection_id: connection,
        enabled: wire.enabled.unwrap_or(true),
        partner: Partner::new(&wire.provider_name)
            .map_err(|_| Error::invalid_input("provider_name", "not a partner name"))?,
        created: wire.created,
        updated: wire.updated,
        details,
    })
}

/// The create body for a partner function: every field present.
pub fn partner_function_create_to_wire(
    details: &core::PartnerFunctionDetails,
) -> PartnerFunctionCreateRequest {
    let update =
        partner_function_patch_to_wire(&core::PartnerFunctionPatch::replacing_with(details));
    PartnerFunctionCreateRequest {
        partner_function: update.partner_function,
    }
}

/// The update body for a partner function: only the fields the patch sets.
pub fn partner_function_patch_to_wire(
    patch: &core::PartnerFunctionPatch,
) -> PartnerFunctionRequest {
    let s = |t: &Option<core::Text>| t.as_ref().map(ToString::to_string);
    PartnerFunctionRequest {
        partner_function: PartnerFunctionInput {
            name: patch.name.as_ref().map(ToString::to_string),
            direction: s(&patch.direction),
            description: s(&patch.description),
            object_name: s(&patch.object_name),
            object_mapping: patch.object_mapping.as_ref().map(ToString::to_string),
            event_name: s(&patch.event_name),
            tag: s(&patch.tag),
        },
    }
}

/// A partner-function patch from an update body: absent and `null` fields stay as they are.
/// Every value is checked as it becomes a domain value, so that an error names its path.
pub fn partner_function_patch_from_wire(
    body: PartnerFunctionRequest,
) -> Result<core::PartnerFunctionPatch, Error> {
    partner_function_patch(body.partner_function, PARTNER_FUNCTION_BODY)
}

fn partner_function_patch(
    p: PartnerFunctionInput,
    prefix: &str,
) -> Result<core::PartnerFunctionPatch, Error> {
    let t = |field, value| optional_text(prefix, field, value);
    Ok(core::PartnerFunctionPatch {
        name: p
            .name
            .as_deref()
            .map(|n| Name::new(&format!("{prefix}name"), n))
            .transpose()?,
        direction: t("direction", p.direction)?,
        description: t("description", p.description)?,
        object_name: t("object_name", p.object_name)?,
        object_mapping: p
            .object_mapping
            .map(|m| core::ObjectMapping::new(&format!("{prefix}object_mapping"), &m))
            .transpose()?,
        event_name: t("event_name", p.event_name)?,
        tag: t("tag", p.tag)?,
    })
}

/// Partner-function details from a create body: `partner_function.name` is required.
pub fn partner_function_create_from_wire(
    body: PartnerFunctionCreateRequest,
) -> Result<core::PartnerFunctionDetails, Error> {
    let patch = partner_function_patch(body.partner_function, PARTNER_FUNCTION_BODY)?;
    required_name(patch.name.as_ref(), PARTNER_FUNCTION_BODY)
        .map(|name| patch.apply(&core::PartnerFunctionDetails::new(name)))
}

/// The `pagination` object for a page served at `path` (the list route, without query).
///
/// Project choice: `next_page` and `previous_page` are relative links with `limit` and
/// `offset`, or JSON `null` at either end.
pub fn pagination_to_wire<T>(page: &Page<T>, path: &str, query: &ListQuery) -> crate::Pagination {
    let link = |offset: u64| {
        Some(format!(
            "{path}?{}",
            crate::query::encode(&query.at_offset(offset))
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
        details.check_on = core::Text::new("check_on", "DAILY").unwrap();
        details.criteria = vec![core::CriteriaGroup {
            group_condition: core::Text::new("group_condition", "AND").unwrap(),
            rules: vec![],
        }];
        let body = serde_json::to_string(&automation_create_to_wire(&details)).unwrap();
        assert_eq!(
            automation_create_from_wire(serde_json::from_str(&body).unwrap()).unwrap(),
            details
        );

        let patch = core::AutomationPatch {
            description: Some(core::Text::new("description", "x").unwrap()),
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
